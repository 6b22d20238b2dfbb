package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * cloudTrail: what the lifecycle guard needs in the account (a trail), made by the stack or said at
 * synth.
 */
class LifecycleTrailStackTest {
    @Test
    void create_makesExactlyOneTrailOfThisRegionsManagementEventsOnly() {
        Template t = StackFixture.template(Map.of("cloudTrail", "create"));

        assertThat(t.findResources("AWS::CloudTrail::Trail")).hasSize(1);
        t.hasResourceProperties(
                "AWS::CloudTrail::Trail",
                Map.of(
                        "IsLogging",
                        true,
                        "IsMultiRegionTrail",
                        false,
                        "IncludeGlobalServiceEvents",
                        false,
                        "EnableLogFileValidation",
                        true,
                        "TrailName",
                        "Test-lifecycle-guard",
                        "EventSelectors",
                        List.of(
                                Map.of(
                                        "IncludeManagementEvents",
                                        true,
                                        "ReadWriteType",
                                        "All",
                                        "DataResources",
                                        List.of()))));
        // the trail is created after the bucket policy CloudTrail checks
        t.hasResource(
                "AWS::CloudTrail::Trail",
                Match.objectLike(
                        Map.of(
                                "DependsOn",
                                Match.arrayWith(
                                        List.of(
                                                Match.stringLikeRegexp(
                                                        "LifecycleTrailLogsPolicy.*"))))));
    }

    @Test
    void create_theTrailsBucket_isPrivateEncryptedExpiringAndWritableOnlyByThisTrail() {
        Template t = StackFixture.template(Map.of("cloudTrail", "create"));
        String trailArn = "Test-lifecycle-guard";

        t.hasResourceProperties(
                "AWS::S3::Bucket",
                Match.objectLike(
                        Map.of(
                                "PublicAccessBlockConfiguration",
                                        Map.of(
                                                "BlockPublicAcls",
                                                true,
                                                "BlockPublicPolicy",
                                                true,
                                                "IgnorePublicAcls",
                                                true,
                                                "RestrictPublicBuckets",
                                                true),
                                "BucketEncryption",
                                        Match.objectLike(
                                                Map.of(
                                                        "ServerSideEncryptionConfiguration",
                                                        List.of(
                                                                Map.of(
                                                                        "ServerSideEncryptionByDefault",
                                                                        Map.of(
                                                                                "SSEAlgorithm",
                                                                                "AES256"))))),
                                "LifecycleConfiguration",
                                        Map.of(
                                                "Rules",
                                                List.of(
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Id",
                                                                        "ExpireTrailLogs",
                                                                        "ExpirationInDays",
                                                                        LifecycleTrail
                                                                                .RETENTION_DAYS,
                                                                        "Status",
                                                                        "Enabled")))))));
        // CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail": the ACL check and the
        // write, each for this trail only
        t.hasResourceProperties(
                "AWS::S3::BucketPolicy",
                Match.objectLike(
                        Map.of(
                                "PolicyDocument",
                                Match.objectLike(
                                        Map.of(
                                                "Statement",
                                                Match.arrayWith(
                                                        List.of(
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Effect",
                                                                                "Deny",
                                                                                "Condition",
                                                                                Map.of(
                                                                                        "Bool",
                                                                                        Map.of(
                                                                                                "aws:SecureTransport",
                                                                                                "false")))),
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Sid",
                                                                                "AWSCloudTrailAclCheck",
                                                                                "Action",
                                                                                "s3:GetBucketAcl",
                                                                                "Principal",
                                                                                Map.of(
                                                                                        "Service",
                                                                                        "cloudtrail.amazonaws.com"),
                                                                                "Condition",
                                                                                Map.of(
                                                                                        "StringEquals",
                                                                                        Map.of(
                                                                                                "aws:SourceArn",
                                                                                                Match
                                                                                                        .objectLike(
                                                                                                                Map
                                                                                                                        .of(
                                                                                                                                "Fn::Join",
                                                                                                                                Match
                                                                                                                                        .arrayWith(
                                                                                                                                                List
                                                                                                                                                        .of(
                                                                                                                                                                Match
                                                                                                                                                                        .arrayWith(
                                                                                                                                                                                List
                                                                                                                                                                                        .of(
                                                                                                                                                                                                ":trail/"
                                                                                                                                                                                                        + trailArn)))))))))),
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Sid",
                                                                                "AWSCloudTrailWrite",
                                                                                "Action",
                                                                                "s3:PutObject",
                                                                                "Condition",
                                                                                Map.of(
                                                                                        "StringEquals",
                                                                                        Match
                                                                                                .objectLike(
                                                                                                        Map
                                                                                                                .of(
                                                                                                                        "s3:x-amz-acl",
                                                                                                                        "bucket-owner-full-control"))))))))))));
    }

    @Test
    void existing_theDefault_makesNoTrailAndWarnsAtSynth() {
        var stack = StackFixture.stack(Map.of(), false);

        assertThat(Template.fromStack(stack).findResources("AWS::CloudTrail::Trail")).isEmpty();
        var warnings =
                Annotations.fromStack(stack)
                        .findWarning(
                                "*",
                                Match.stringLikeRegexp(
                                        ".*lifecycle guard hears ECR's lifecycle runs only through CloudTrail.*"));
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getEntry().getData().toString())
                .contains("-c cloudTrail=create");
    }

    @Test
    void aValueOtherThanCreateOrExisting_isRefusedWithTheFix() {
        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("cloudTrail", "yes")))
                .hasMessageContaining(
                        "cloudTrail: 'yes' is not create (a trail of this region's management events, for the lifecycle guard)"
                                + " or existing");
    }

    @Test
    void create_passesTheAwsSolutionsPack() {
        var stack = StackFixture.stack(Map.of("cloudTrail", "create"), true);
        var annotations = Annotations.fromStack(stack);

        assertThat(
                        annotations
                                .findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                                .stream()
                                .map(m -> m.getId() + ": " + m.getEntry().getData())
                                .toList())
                .isEmpty();
        assertThat(
                        annotations
                                .findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))
                                .stream()
                                .map(m -> m.getId() + ": " + m.getEntry().getData())
                                .toList())
                .isEmpty();
    }
}
