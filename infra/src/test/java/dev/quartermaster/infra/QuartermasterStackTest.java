package dev.quartermaster.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class QuartermasterStackTest {
    private static Template template;

    @BeforeAll
    static void synth() {
        template = StackFixture.template(Map.of());
    }

    @Test
    void repository_byDefault_hasImmutableTagsAndScanOnPush() {
        template.hasResourceProperties(
                "AWS::ECR::Repository",
                Map.of(
                        "RepositoryName", "wordpress",
                        "ImageTagMutability", "IMMUTABLE",
                        "ImageScanningConfiguration", Map.of("ScanOnPush", true)));
    }

    @Test
    void repository_lifecyclePolicy_expiresUntaggedAndKeepsLastN() {
        template.hasResourceProperties(
                "AWS::ECR::Repository",
                Map.of(
                        "LifecyclePolicy",
                        Map.of(
                                "LifecyclePolicyText",
                                Match.serializedJson(
                                        Match.objectLike(
                                                Map.of(
                                                        "rules",
                                                        Match.arrayWith(
                                                                List.of(
                                                                        Match.objectLike(
                                                                                Map.of(
                                                                                        "selection",
                                                                                        Match
                                                                                                .objectLike(
                                                                                                        Map
                                                                                                                .of(
                                                                                                                        "tagStatus",
                                                                                                                        "untagged",
                                                                                                                        "countType",
                                                                                                                        "sinceImagePushed",
                                                                                                                        "countNumber",
                                                                                                                        7)))),
                                                                        Match.objectLike(
                                                                                Map.of(
                                                                                        "selection",
                                                                                        Match
                                                                                                .objectLike(
                                                                                                        Map
                                                                                                                .of(
                                                                                                                        "tagStatus",
                                                                                                                        "any",
                                                                                                                        "countType",
                                                                                                                        "imageCountMoreThan",
                                                                                                                        "countNumber",
                                                                                                                        50))))))))))));
    }

    @Test
    void repository_whenMutableTagsListed_usesImmutableWithExclusion() {
        Template t = StackFixture.template(Map.of("mutableTags", "latest,dev-*"));

        t.hasResourceProperties(
                "AWS::ECR::Repository",
                Map.of(
                        "ImageTagMutability",
                        "IMMUTABLE_WITH_EXCLUSION",
                        "ImageTagMutabilityExclusionFilters",
                        List.of(
                                Map.of(
                                        "ImageTagMutabilityExclusionFilterType",
                                        "WILDCARD",
                                        "ImageTagMutabilityExclusionFilterValue",
                                        "latest"),
                                Map.of(
                                        "ImageTagMutabilityExclusionFilterType",
                                        "WILDCARD",
                                        "ImageTagMutabilityExclusionFilterValue",
                                        "dev-*"))));
    }

    @Test
    void ledgerTable_isOnDemandWithPointInTimeRecoveryAndTtl() {
        template.hasResourceProperties(
                "AWS::DynamoDB::Table",
                Map.of(
                        "BillingMode", "PAY_PER_REQUEST",
                        "PointInTimeRecoverySpecification",
                                Map.of("PointInTimeRecoveryEnabled", true),
                        "TimeToLiveSpecification",
                                Map.of("AttributeName", "expiresAt", "Enabled", true),
                        "KeySchema",
                                List.of(
                                        Map.of("AttributeName", "pk", "KeyType", "HASH"),
                                        Map.of("AttributeName", "sk", "KeyType", "RANGE"))));
    }

    @Test
    void imageActionFunction_isJava21WithSnapStart() {
        template.hasResourceProperties(
                "AWS::Lambda::Function",
                Map.of(
                        "FunctionName",
                        "Test-image-action",
                        "Handler",
                        "dev.quartermaster.ledger.ImageActionHandler",
                        "Runtime",
                        "java21",
                        "MemorySize",
                        1024,
                        "SnapStart",
                        Map.of("ApplyOn", "PublishedVersions"),
                        "DeadLetterConfig",
                        Match.objectLike(Map.of())));
    }

    @Test
    void everyFunction_hasLiveAlias() {
        assertThat(
                        template.findResources(
                                "AWS::Lambda::Alias",
                                Match.objectLike(Map.of("Properties", Map.of("Name", "live")))))
                .hasSize(
                        dev.quartermaster.contract.Catalog.ALL.size()
                                - 2); // image-replication, replication-backfill: only with
        // replication
    }

    @Test
    void imageActionRule_matchesManagedRepositoriesAndTargetsAliasWithDeadLetterQueue() {
        template.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "EventPattern",
                                Map.of(
                                        "source",
                                        List.of("aws.ecr"),
                                        "detail-type",
                                        List.of("ECR Image Action"),
                                        "detail",
                                        Map.of("repository-name", List.of("wordpress"))),
                        "Targets",
                                List.of(
                                        Match.objectLike(
                                                Map.of(
                                                        "DeadLetterConfig",
                                                                Match.objectLike(Map.of()),
                                                        "RetryPolicy",
                                                                Map.of(
                                                                        "MaximumEventAgeInSeconds",
                                                                        21600,
                                                                        "MaximumRetryAttempts",
                                                                        8))))));
    }

    @Test
    void alertEmail_whenGiven_subscribesIt() {
        Template t = StackFixture.template(Map.of("alertEmail", "ops@example.com"));

        t.hasResourceProperties(
                "AWS::SNS::Subscription",
                Map.of("Protocol", "email", "Endpoint", "ops@example.com"));
    }

    @Test
    void backupBucket_expiresBackupsAfterRetentionAndStagingAfterOneDay() {
        template.hasResourceProperties(
                "AWS::S3::Bucket",
                Map.of(
                        "VersioningConfiguration", Map.of("Status", "Enabled"),
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
                                                                        "Prefix",
                                                                        "backups/",
                                                                        "ExpirationInDays",
                                                                        7,
                                                                        "Status",
                                                                        "Enabled")),
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Prefix",
                                                                        "staging/",
                                                                        "ExpirationInDays",
                                                                        1)),
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "NoncurrentVersionExpiration",
                                                                        Map.of(
                                                                                "NoncurrentDays",
                                                                                7))))))));
    }

    @Test
    void backupBucket_whenColdStorageConfigured_transitionsBackups() {
        Template t =
                StackFixture.template(Map.of("backupRetentionDays", 90, "backupColdAfterDays", 30));

        t.hasResourceProperties(
                "AWS::S3::Bucket",
                Map.of(
                        "LifecycleConfiguration",
                        Map.of(
                                "Rules",
                                Match.arrayWith(
                                        List.of(
                                                Match.objectLike(
                                                        Map.of(
                                                                "Prefix",
                                                                "backups/",
                                                                "ExpirationInDays",
                                                                90,
                                                                "Transitions",
                                                                List.of(
                                                                        Map.of(
                                                                                "StorageClass",
                                                                                "GLACIER_IR",
                                                                                "TransitionInDays",
                                                                                30)))))))));
    }

    @Test
    void backupBucket_deniesInsecureTransport() {
        template.hasResourceProperties(
                "AWS::S3::BucketPolicy",
                Map.of(
                        "PolicyDocument",
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
                                                                                "false")))))))));
    }

    @Test
    void dumpDocument_validatesEveryParameterAndEmbedsTheScript() {
        var docs = template.findResources("AWS::SSM::Document");
        assertThat(docs)
                .hasSize(7); // dump, restore, drill, fingerprint, release, release check, hosts
        // check
        String json = docs.toString();
        assertThat(json)
                .contains("allowedPattern")
                .contains("QM_SCRIPT_END")
                .contains("db() {") // qm-lib.sh inlined
                .doesNotContain("# @include");
        template.hasResourceProperties(
                "AWS::SSM::Document",
                Map.of(
                        "DocumentType",
                        "Command",
                        "Content",
                        Match.objectLike(
                                Map.of(
                                        "parameters",
                                        Match.objectLike(
                                                Map.of(
                                                        "bucket",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "allowedPattern",
                                                                                "^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$")),
                                                        "database",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "allowedPattern",
                                                                                "^([A-Za-z0-9_]{1,64})$")),
                                                        "compression",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "allowedPattern",
                                                                                "^(gzip|zstd)$"))))))));
    }

    @Test
    void backupSchedule_usesConfiguredCron() {
        Template t = StackFixture.template(Map.of("backupSchedule", "cron(30 1 * * ? *)"));

        t.hasResourceProperties(
                "AWS::Events::Rule", Map.of("ScheduleExpression", "cron(30 1 * * ? *)"));
    }

    @Test
    void verifyFunction_canPullOnlyManagedRepositories() {
        template.hasResourceProperties(
                "AWS::IAM::Policy",
                Map.of(
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                Match.arrayWith(
                                        List.of(
                                                Match.objectLike(
                                                        Map.of(
                                                                "Action",
                                                                List.of(
                                                                        "ecr:BatchCheckLayerAvailability",
                                                                        "ecr:GetDownloadUrlForLayer",
                                                                        "ecr:BatchGetImage"),
                                                                "Resource",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Fn::GetAtt",
                                                                                Match.arrayWith(
                                                                                        List.of(
                                                                                                "Arn")))))),
                                                Match.objectLike(
                                                        Map.of(
                                                                "Action",
                                                                "ecr:GetAuthorizationToken",
                                                                "Resource",
                                                                "*")))))));
    }

    @Test
    void policies_neverGrantEveryActionOrWildcardResourceBeyondEcrToken() {
        var policies = template.findResources("AWS::IAM::Policy");
        policies.values()
                .forEach(
                        p -> {
                            @SuppressWarnings("unchecked")
                            var statements =
                                    (List<Map<String, Object>>)
                                            ((Map<String, Object>)
                                                            ((Map<String, Object>)
                                                                            ((Map<String, Object>)
                                                                                            p)
                                                                                    .get(
                                                                                            "Properties"))
                                                                    .get("PolicyDocument"))
                                                    .get("Statement");
                            for (Map<String, Object> st : statements) {
                                assertThat(String.valueOf(st.get("Action")))
                                        .isNotEqualTo("*")
                                        .doesNotContain(":*\"");
                                if ("*".equals(st.get("Resource"))) {
                                    // only actions AWS offers without resource-level permissions
                                    assertThat(st.get("Action"))
                                            .isIn(
                                                    "ecr:GetAuthorizationToken",
                                                    List.of("ecr:GetAuthorizationToken"),
                                                    "ssm:DescribeInstanceInformation",
                                                    List.of(
                                                            "ssm:ListCommands",
                                                            "ssm:GetCommandInvocation"));
                                }
                                assertThat(String.valueOf(st.get("Action")))
                                        .doesNotContain("dynamodb:Scan")
                                        .doesNotContain("dynamodb:BatchWriteItem");
                            }
                        });
    }

    @Test
    void hostPolicy_whenPasswordParameterNamed_mayReadOnlyThatParameter() {
        Template t =
                StackFixture.template(Map.of("dbPasswordParameter", "/wordpress/db-root-password"));

        t.hasResourceProperties(
                "AWS::IAM::ManagedPolicy",
                Map.of(
                        "PolicyDocument",
                        Map.of(
                                "Statement",
                                Match.arrayWith(
                                        List.of(
                                                Match.objectLike(
                                                        Map.of(
                                                                "Action",
                                                                "ssm:GetParameter",
                                                                "Resource",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Fn::Join",
                                                                                Match.arrayWith(
                                                                                        List.of(
                                                                                                Match
                                                                                                        .arrayWith(
                                                                                                                List
                                                                                                                        .of(
                                                                                                                                ":parameter/wordpress/db-root-password")))))))))))));
    }

    @Test
    void rejectedEvents_alarmWatchesTheDimensionTheFunctionsEmit() {
        template.hasResourceProperties(
                "AWS::CloudWatch::Alarm",
                Map.of(
                        "MetricName",
                        "EventsRejected",
                        "Namespace",
                        "Quartermaster",
                        "Dimensions",
                        List.of(Map.of("Name", "Application", "Value", "Quartermaster")),
                        "AlarmActions",
                        List.of(Map.of("Ref", Match.stringLikeRegexp("Alerts.*")))));
    }

    @Test
    void deadLetters_alarmWhenAnythingWaits() {
        template.hasResourceProperties(
                "AWS::CloudWatch::Alarm",
                Map.of("MetricName", "ApproximateNumberOfMessagesVisible", "Threshold", 1));
    }

    @Test
    void hostPolicy_isOfferedAsManagedPolicy() {
        template.hasResourceProperties(
                "AWS::IAM::ManagedPolicy",
                Map.of("Description", Match.stringLikeRegexp(".*instance role.*")));
    }

    @Test
    void alertTopic_usesAKeyWhosePolicyLetsCloudWatchAndEventBridgePublish() {
        template.hasResourceProperties(
                "AWS::SNS::Topic",
                Map.of(
                        "KmsMasterKeyId",
                        Map.of(
                                "Fn::GetAtt",
                                Match.arrayWith(List.of(Match.stringLikeRegexp("AlertsKey.*"))))));
        template.hasResourceProperties(
                "AWS::KMS::Key",
                Map.of(
                        "EnableKeyRotation",
                        true,
                        "KeyPolicy",
                        Map.of(
                                "Statement",
                                Match.arrayWith(
                                        List.of(
                                                Match.objectLike(
                                                        Map.of(
                                                                "Principal",
                                                                        Map.of(
                                                                                "Service",
                                                                                List.of(
                                                                                        "cloudwatch.amazonaws.com",
                                                                                        "events.amazonaws.com")),
                                                                "Action",
                                                                        List.of(
                                                                                "kms:Decrypt",
                                                                                "kms:GenerateDataKey*"))))))));
    }

    @Test
    void sendCommand_onInstancesOnlyUnderTheHostTagCondition() {
        var policies = template.findResources("AWS::IAM::Policy");
        int guarded = 0;
        for (var p : policies.values()) {
            @SuppressWarnings("unchecked")
            var statements =
                    (List<Map<String, Object>>)
                            ((Map<String, Object>)
                                            ((Map<String, Object>)
                                                            ((Map<String, Object>) p)
                                                                    .get("Properties"))
                                                    .get("PolicyDocument"))
                                    .get("Statement");
            for (Map<String, Object> st : statements) {
                if ("ssm:SendCommand".equals(st.get("Action"))
                        && String.valueOf(st.get("Resource")).contains(":instance/*")) {
                    assertThat(st.get("Condition"))
                            .isEqualTo(
                                    Map.of(
                                            "StringEquals",
                                            Map.of("ssm:resourceTag/qm:backup", "true")));
                    guarded++;
                }
            }
        }
        assertThat(guarded).isEqualTo(3); // backup-start, restore-drill, release-drift
    }

    @Test
    void restoreDrill_maySendOnlyTheDrillDocument() {
        String drill = template.toJSON().toString();
        var policies = template.findResources("AWS::IAM::Policy");
        var drillPolicy =
                policies.entrySet().stream()
                        .filter(e -> e.getKey().contains("RestoreDrill"))
                        .findFirst()
                        .orElseThrow();
        String text = String.valueOf(drillPolicy.getValue());
        assertThat(text)
                .contains("DrillDocument")
                .doesNotContain("RestoreDocument")
                .doesNotContain("DumpDocument");
        assertThat(drill).contains("DrillDocument");
    }

    @Test
    void hostPolicy_writesOnlyUnderStagingAndReadsBackups() {
        var managed = template.findResources("AWS::IAM::ManagedPolicy");
        String text = String.valueOf(managed.values().iterator().next());
        assertThat(text)
                .contains("/staging/*")
                .contains("/backups/*")
                .contains("/ssm-output/*")
                .doesNotContain("/drills/*");
        @SuppressWarnings("unchecked")
        var statements =
                (List<Map<String, Object>>)
                        ((Map<String, Object>)
                                        ((Map<String, Object>)
                                                        managed.values()
                                                                .iterator()
                                                                .next()
                                                                .get("Properties"))
                                                .get("PolicyDocument"))
                                .get("Statement");
        for (Map<String, Object> st : statements) {
            String resources = String.valueOf(st.get("Resource"));
            if (resources.contains("/backups/*")) {
                assertThat(String.valueOf(st.get("Action")))
                        .doesNotContain("PutObject")
                        .doesNotContain("DeleteObject");
            }
        }
    }

    @Test
    void functions_getOnlyTheTableActionsTheyUse() {
        var policies = template.findResources("AWS::IAM::Policy");
        String verify =
                String.valueOf(
                        policies.entrySet().stream()
                                .filter(e -> e.getKey().contains("ImageVerify"))
                                .findFirst()
                                .orElseThrow()
                                .getValue());
        String action =
                String.valueOf(
                        policies.entrySet().stream()
                                .filter(e -> e.getKey().contains("ImageAction"))
                                .findFirst()
                                .orElseThrow()
                                .getValue());
        assertThat(verify)
                .contains("dynamodb:UpdateItem")
                .doesNotContain("dynamodb:Query")
                .doesNotContain("dynamodb:Scan");
        assertThat(action)
                .contains("dynamodb:ConditionCheckItem")
                .doesNotContain("dynamodb:DeleteItem")
                .doesNotContain("dynamodb:Scan");
    }

    @Test
    void everyFunction_isToldItsAccountSoForeignEventsAreRejected() {
        var functions = template.findResources("AWS::Lambda::Function");
        functions.values().forEach(f -> assertThat(String.valueOf(f)).contains("EXPECTED_ACCOUNT"));
    }
}
