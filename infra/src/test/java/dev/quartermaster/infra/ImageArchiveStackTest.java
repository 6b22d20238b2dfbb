package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The archive's bucket, rules and grants as synthesised. */
class ImageArchiveStackTest {
    private static final Template DEFAULT = StackFixture.template(Map.of());

    @Test
    void archiveBucket_isVersionedEncryptedPrivateAndTlsOnly() {
        DEFAULT.hasResourceProperties(
                "AWS::S3::Bucket",
                Map.of(
                        "VersioningConfiguration", Map.of("Status", "Enabled"),
                        "BucketEncryption", Match.objectLike(Map.of()),
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
                        "LifecycleConfiguration",
                                Map.of(
                                        "Rules",
                                        Match.arrayWith(
                                                List.of(
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Id",
                                                                        "NoncurrentAndUploads",
                                                                        "NoncurrentVersionExpiration",
                                                                        Map.of(
                                                                                "NoncurrentDays",
                                                                                30))))))));
        assertThat(DEFAULT.findResources("AWS::S3::BucketPolicy")).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void pushRule_hasTheArchiveAsATarget_andTheScheduleReconciles() {
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "Description",
                        "Successful pushes, to the image archive",
                        "EventPattern",
                        Map.of(
                                "source",
                                List.of("aws.ecr"),
                                "detail-type",
                                List.of("ECR Image Action"),
                                "detail",
                                Map.of(
                                        "repository-name",
                                        List.of("wordpress"),
                                        "action-type",
                                        List.of("PUSH"),
                                        "result",
                                        List.of("SUCCESS")))));
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule", Map.of("ScheduleExpression", ImageArchive.RECONCILE));
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule", Map.of("ScheduleExpression", ImageArchive.SCRUB));
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule", Map.of("ScheduleExpression", ImageArchive.PRUNE));
    }

    @Test
    void
            archiveFunction_mayDescribeAndPullOnlyTheManagedRepositories_andNeverDeleteFromTheArchive() {
        String policies =
                DEFAULT.findResources("AWS::IAM::Policy").entrySet().stream()
                        .filter(e -> e.getKey().startsWith("ImageArchiveServiceRole"))
                        .map(e -> String.valueOf(e.getValue()))
                        .reduce("", String::concat);
        assertThat(policies)
                .contains(
                        "ecr:DescribeImages",
                        "ecr:BatchGetImage",
                        "s3:PutObject",
                        "s3:AbortMultipartUpload",
                        "Repository")
                .doesNotContain("s3:DeleteObject")
                .doesNotContain("ecr:PutImage");
    }

    @Test
    void objectLockAndColdBlobs_whenConfigured() {
        Template t =
                StackFixture.template(
                        Map.of("archiveObjectLockDays", 30, "archiveColdAfterDays", 14));
        t.hasResourceProperties(
                "AWS::S3::Bucket",
                Map.of(
                        "ObjectLockEnabled", true,
                        "ObjectLockConfiguration",
                                Map.of(
                                        "ObjectLockEnabled",
                                        "Enabled",
                                        "Rule",
                                        Map.of(
                                                "DefaultRetention",
                                                Map.of("Mode", "GOVERNANCE", "Days", 30))),
                        "LifecycleConfiguration",
                                Map.of(
                                        "Rules",
                                        Match.arrayWith(
                                                List.of(
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Id",
                                                                        "LargeBlobsCold",
                                                                        "Prefix",
                                                                        "blobs/",
                                                                        "ObjectSizeGreaterThan",
                                                                        1048576,
                                                                        "Transitions",
                                                                        List.of(
                                                                                Map.of(
                                                                                        "StorageClass",
                                                                                        "GLACIER_IR",
                                                                                        "TransitionInDays",
                                                                                        14)))))))));
    }

    @Test
    void objectLockLongerThanRetention_isRefusedAtSynth() {
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of("archiveObjectLockDays", 100)))
                .hasMessageContaining(
                        "archiveObjectLockDays (100) must not exceed archiveRetentionDays (90)");
    }
}
