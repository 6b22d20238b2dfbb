package dev.quartermaster.infra;

import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudtrail.CfnTrail;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * What the lifecycle guard needs in the account: EventBridge delivers ECR's lifecycle runs ({@code
 * AWS Service Event via CloudTrail}) only where a CloudTrail trail with logging is enabled
 * (EventBridge user guide, "AWS service events delivered via AWS CloudTrail"). {@code existing}:
 * the account has one (synth warns that the guard depends on it); {@code create}: a minimal trail
 * of this region's management events (no data events) into its own bucket (no public access, TLS
 * only, SSE-S3, objects expire after {@value #RETENTION_DAYS} days), with the bucket policy the
 * CloudTrail user guide gives ("Amazon S3 bucket policy for CloudTrail": GetBucketAcl and PutObject
 * under AWSLogs/ACCOUNT/, both only for this trail's ARN, PutObject only with
 * bucket-owner-full-control).
 */
public final class LifecycleTrail extends Construct {
    /** How long the trail's log files are kept. */
    static final int RETENTION_DAYS = 90;

    static final String WARNING_ID = "quartermaster:cloudTrailExisting";

    /**
     * @param mode {@code create} or {@code existing} (Config validates it); {@code stackName} names
     *     the trail
     */
    public record Props(String mode, String stackName) {
        public Props {
            if (!"create".equals(mode) && !"existing".equals(mode)) {
                throw new IllegalArgumentException(
                        "cloudTrail must be create or existing, not '" + mode + "'");
            }
        }
    }

    public LifecycleTrail(Construct scope, String id, Props props) {
        super(scope, id);
        if (props.mode().equals("existing")) {
            Annotations.of(Stack.of(this))
                    .addWarningV2(
                            WARNING_ID,
                            "cloudTrail=existing: the lifecycle guard hears ECR's lifecycle"
                                    + " runs only through CloudTrail (AWS Service Event via CloudTrail), which EventBridge delivers only where a trail"
                                    + " with logging is enabled in this account and region. Check with `aws cloudtrail describe-trails` and"
                                    + " `aws cloudtrail get-trail-status --name NAME` (IsLogging), or deploy with -c cloudTrail=create"
                                    + " (a trail of this region's management events; the first copy of management events is free). bin/qm status"
                                    + " --aws says when a repository's lifecycle policy ran and the guard heard nothing.");
            return;
        }
        String trailName = props.stackName() + "-lifecycle-guard";
        String trailArn =
                "arn:"
                        + Aws.PARTITION
                        + ":cloudtrail:"
                        + Aws.REGION
                        + ":"
                        + Aws.ACCOUNT_ID
                        + ":trail/"
                        + trailName;
        Bucket bucket =
                Bucket.Builder.create(this, "Logs")
                        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                        .encryption(BucketEncryption.S3_MANAGED)
                        .enforceSsl(true)
                        .lifecycleRules(
                                List.of(
                                        LifecycleRule.builder()
                                                .id("ExpireTrailLogs")
                                                .expiration(Duration.days(RETENTION_DAYS))
                                                .abortIncompleteMultipartUploadAfter(
                                                        Duration.days(1))
                                                .build()))
                        .removalPolicy(RemovalPolicy.RETAIN)
                        .build();
        ServicePrincipal cloudTrail = new ServicePrincipal("cloudtrail.amazonaws.com");
        bucket.addToResourcePolicy(
                PolicyStatement.Builder.create()
                        .sid("AWSCloudTrailAclCheck")
                        .principals(List.of(cloudTrail))
                        .actions(List.of("s3:GetBucketAcl"))
                        .resources(List.of(bucket.getBucketArn()))
                        .conditions(Map.of("StringEquals", Map.of("aws:SourceArn", trailArn)))
                        .build());
        bucket.addToResourcePolicy(
                PolicyStatement.Builder.create()
                        .sid("AWSCloudTrailWrite")
                        .principals(List.of(cloudTrail))
                        .actions(List.of("s3:PutObject"))
                        .resources(
                                List.of(bucket.arnForObjects("AWSLogs/" + Aws.ACCOUNT_ID + "/*")))
                        .conditions(
                                Map.of(
                                        "StringEquals",
                                        Map.of(
                                                "s3:x-amz-acl",
                                                "bucket-owner-full-control",
                                                "aws:SourceArn",
                                                trailArn)))
                        .build());
        CfnTrail trail =
                CfnTrail.Builder.create(this, "Resource")
                        .trailName(trailName)
                        .isLogging(true)
                        .s3BucketName(bucket.getBucketName())
                        .isMultiRegionTrail(false)
                        .includeGlobalServiceEvents(false)
                        .enableLogFileValidation(true)
                        .eventSelectors(
                                List.of(
                                        CfnTrail.EventSelectorProperty.builder()
                                                .includeManagementEvents(true)
                                                .readWriteType("All")
                                                .dataResources(List.of())
                                                .build()))
                        .build();
        // CloudTrail checks the bucket policy when the trail is created
        trail.getNode().addDependency(bucket.getPolicy());
    }
}
