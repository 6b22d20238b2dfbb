package dev.quartermaster.infra;

import dev.quartermaster.contract.StackOutput;
import dev.quartermaster.contract.options.Configuration;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.StorageClass;
import software.amazon.awscdk.services.s3.Transition;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The whole product in one stack. Read the constructor as a table of contents. The stateful
 * resources (the ledger table, the ECR repositories, the backup bucket) are made here, at the
 * stack's top level, so their logical IDs never change; the constructs get them as props.
 */
public final class QuartermasterStack extends Stack {
    private final Configuration config;
    private final Table ledger;
    private final Table alertLog;
    private final List<Repository> repositories = new ArrayList<>();
    private final Bucket backups;
    private final Bucket archive;
    private final Alerting alerting;
    private final DatabaseBackups databaseBackups;
    private final Releases releases;
    private final software.amazon.awscdk.services.kms.IKey repositoryKey;

    public QuartermasterStack(
            Construct scope,
            String id,
            StackProps props,
            StackConfig stackConfig,
            java.util.function.Function<dev.quartermaster.contract.Bundle, Code> functionsCode) {
        super(scope, id, props);
        this.config = stackConfig.options();
        this.ledger = ledgerTable();
        this.alertLog = alertLogTable();
        this.repositoryKey =
                config.estate().kms()
                        ? (config.estate().keyArn() != null
                                ? software.amazon.awscdk.services.kms.Key.fromKeyArn(
                                        this, "GivenRepositoryKey", config.estate().keyArn())
                                : RepositoryAccess.key(
                                        this,
                                        "RepositoryKey",
                                        config.estate(),
                                        "Quartermaster's ECR repositories"))
                        : null;
        config.repositories().forEach(name -> repositories.add(repository(name)));
        this.backups = backupBucket();
        this.archive = archiveBucket();
        this.alerting =
                new Alerting(
                        this,
                        "Alerts",
                        Alerting.Props.builder()
                                .alertEmails(config.operations().alerts().emails())
                                .chat(config.operations().alerts().chat())
                                .build());
        FunctionFactory functions =
                new FunctionFactory(
                        functionsCode,
                        ledger,
                        alerting.topic(),
                        alerting.deadLetters(),
                        new FunctionFactory.AlertLog(alertLog, config.operations().alerts()));
        new AlertSweep(this, "AlertSweep", functions, alertLog);
        new ImageChecks(
                this,
                "ImageChecks",
                ImageChecks.Props.builder()
                        .repositories(repositories, config.repositories())
                        .verifyRules(config.checks().verifyRules())
                        .scanLimits(
                                config.checks().scanMaxCritical(), config.checks().scanMaxHigh())
                        .signing(stackConfig.signing())
                        .enhancedScanning(config.estate().enhanced())
                        .release(config.release().repository(), config.hosts().json())
                        .functions(functions)
                        .build());
        new RegistryEstate(
                this,
                "RegistryEstate",
                new RegistryEstate.Props(
                        config.estate(),
                        repositories,
                        config.repositories(),
                        functions,
                        archive,
                        config.upkeep()));
        new ImageArchive(
                this,
                "ImageArchive",
                new ImageArchive.Props(
                        archive,
                        repositories,
                        config.repositories(),
                        config.archive(),
                        config.upkeep(),
                        functions));
        this.databaseBackups =
                new DatabaseBackups(
                        this,
                        "DatabaseBackups",
                        DatabaseBackups.Props.builder()
                                .bucket(backups)
                                .options(config.backups())
                                .hosts(config.hosts())
                                .functions(functions)
                                .build());
        Repository app =
                repositories.get(config.repositories().indexOf(config.release().repository()));
        this.releases =
                new Releases(
                        this,
                        "Releases",
                        new Releases.Props(
                                config.release(),
                                config.hosts(),
                                config.estate(),
                                app,
                                backups,
                                databaseBackups.commandLogs(),
                                databaseBackups.hostManagedPolicy(),
                                functions));
        new LifecycleTrail(
                this,
                "LifecycleTrail",
                new LifecycleTrail.Props(config.operations().cloudTrail(), getStackName()));
        new Operations(
                this,
                "Operations",
                new Operations.Props(
                        getStackName(),
                        functions.created(),
                        alerting.deadLetters(),
                        alerting.topic(),
                        config.backups().maxBackupAgeHours(),
                        functions.created().stream()
                                .filter(
                                        f ->
                                                f.name()
                                                        .equals(
                                                                dev.quartermaster.contract.Catalog
                                                                        .RELEASE_STATUS
                                                                        .name()))
                                .findFirst()
                                .orElseThrow(),
                        config.repositories()));
        outputs();
        nagSuppressions();
    }

    private Table ledgerTable() {
        return Table.Builder.create(this, "Ledger")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(
                        PointInTimeRecoverySpecification.builder()
                                .pointInTimeRecoveryEnabled(true)
                                .build())
                .timeToLiveAttribute("expiresAt")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /**
     * The alert log: every alert as a window of one kind and subject (see {@code GroupedAlerts}),
     * expiring {@code alertRetentionDays} after its last occurrence. Index Recent lists the newest
     * (bin/qm alerts, status), index Due what the sweep settles. A table of its own, not items in
     * the ledger: every function writes it, and the ledger's grants stay each function's own
     * (release-status, say, may not update ledger items); its TTL is its own.
     */
    private Table alertLogTable() {
        Table t =
                Table.Builder.create(this, "AlertLog")
                        .partitionKey(
                                Attribute.builder().name("pk").type(AttributeType.STRING).build())
                        .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .pointInTimeRecoverySpecification(
                                PointInTimeRecoverySpecification.builder()
                                        .pointInTimeRecoveryEnabled(true)
                                        .build())
                        .timeToLiveAttribute("expiresAt")
                        .removalPolicy(RemovalPolicy.RETAIN)
                        .build();
        t.addGlobalSecondaryIndex(
                software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps.builder()
                        .indexName("Recent")
                        .partitionKey(
                                Attribute.builder().name("log").type(AttributeType.STRING).build())
                        .sortKey(
                                Attribute.builder()
                                        .name("lastAt")
                                        .type(AttributeType.NUMBER)
                                        .build())
                        .build());
        t.addGlobalSecondaryIndex(
                software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps.builder()
                        .indexName("Due")
                        .partitionKey(
                                Attribute.builder().name("due").type(AttributeType.STRING).build())
                        .sortKey(
                                Attribute.builder()
                                        .name("dueAt")
                                        .type(AttributeType.NUMBER)
                                        .build())
                        .build());
        return t;
    }

    private Repository repository(String name) {
        return RepositoryAccess.repository(
                this,
                "Repository" + pascal(name),
                name,
                config.estate(),
                config.lifecycle(),
                repositoryKey);
    }

    private Bucket backupBucket() {
        List<software.amazon.awscdk.services.s3.LifecycleRule> rules = new ArrayList<>();
        var backupRule =
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("ExpireBackups")
                        .prefix("backups/")
                        .expiration(Duration.days(config.backups().retentionDays()));
        if (config.backups().coldAfterDays() > 0) {
            backupRule.transitions(
                    List.of(
                            Transition.builder()
                                    .storageClass(StorageClass.GLACIER_INSTANT_RETRIEVAL)
                                    .transitionAfter(
                                            Duration.days(config.backups().coldAfterDays()))
                                    .build()));
        }
        rules.add(backupRule.build());
        rules.add(
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("ExpireStaging")
                        .prefix("staging/")
                        .expiration(Duration.days(1))
                        .build());
        rules.add(
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("ExpireCommandOutput")
                        .prefix("ssm-output/")
                        .expiration(Duration.days(30))
                        .build());
        rules.add(
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("NoncurrentAndUploads")
                        .noncurrentVersionExpiration(Duration.days(7))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .expiredObjectDeleteMarker(true)
                        .build());
        return Bucket.Builder.create(this, "Backups")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(rules)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    /**
     * The image archive: an OCI image layout at the bucket's root. Versioned (a deleted or
     * overwritten object is recoverable for 30 days), optional Object Lock in governance mode,
     * optional move of large blobs (layers, >= 1 MiB) to Glacier Instant Retrieval; manifests and
     * configs stay in Standard.
     */
    private Bucket archiveBucket() {
        List<software.amazon.awscdk.services.s3.LifecycleRule> rules = new ArrayList<>();
        rules.add(
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("NoncurrentAndUploads")
                        .noncurrentVersionExpiration(Duration.days(30))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .expiredObjectDeleteMarker(true)
                        .build());
        // the upkeep runs' items and results (upkeep/runs/): kept a month to read a run's batches,
        // then gone
        rules.add(
                software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .id("UpkeepRuns")
                        .prefix(dev.quartermaster.contract.Upkeep.PREFIX)
                        .expiration(Duration.days(30))
                        .build());
        if (config.archive().coldAfterDays() > 0) {
            rules.add(
                    software.amazon.awscdk.services.s3.LifecycleRule.builder()
                            .id("LargeBlobsCold")
                            .prefix("blobs/")
                            .objectSizeGreaterThan(1024L * 1024)
                            .transitions(
                                    List.of(
                                            Transition.builder()
                                                    .storageClass(
                                                            StorageClass.GLACIER_INSTANT_RETRIEVAL)
                                                    .transitionAfter(
                                                            Duration.days(
                                                                    config.archive()
                                                                            .coldAfterDays()))
                                                    .build()))
                            .build());
        }
        Bucket.Builder b =
                Bucket.Builder.create(this, "Archive")
                        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                        .encryption(BucketEncryption.S3_MANAGED)
                        .enforceSsl(true)
                        .versioned(true)
                        .lifecycleRules(rules)
                        .removalPolicy(RemovalPolicy.RETAIN);
        if (config.archive().objectLockDays() > 0) {
            b.objectLockEnabled(true)
                    .objectLockDefaultRetention(
                            software.amazon.awscdk.services.s3.ObjectLockRetention.governance(
                                    Duration.days(config.archive().objectLockDays())));
        }
        return b.build();
    }

    private void outputs() {
        Map<StackOutput, String> outputs = new EnumMap<>(StackOutput.class);
        outputs.put(StackOutput.LEDGER_TABLE_NAME, ledger.getTableName());
        outputs.put(StackOutput.BACKUP_BUCKET_NAME, backups.getBucketName());
        outputs.put(StackOutput.ARCHIVE_BUCKET_NAME, archive.getBucketName());
        outputs.put(StackOutput.ALERT_TOPIC_ARN, alerting.topic().getTopicArn());
        outputs.put(StackOutput.ALERT_TABLE_NAME, alertLog.getTableName());
        outputs.put(StackOutput.DUMP_DOCUMENT_NAME, databaseBackups.dumpDocument().name());
        outputs.put(StackOutput.RESTORE_DOCUMENT_NAME, databaseBackups.restoreDocument().name());
        outputs.put(StackOutput.DRILL_DOCUMENT_NAME, databaseBackups.drillDocument().name());
        outputs.put(StackOutput.DATABASE_NAME, config.backups().database());
        outputs.put(StackOutput.DB_CONTAINER, config.backups().dbContainer());
        outputs.put(StackOutput.DB_PASSWORD_PARAMETER, config.backups().dbPasswordParameter());
        outputs.put(StackOutput.BACKUP_COMPRESSION, config.backups().compression());
        outputs.put(StackOutput.HOSTS, config.hosts().json());
        outputs.put(StackOutput.RELEASE_DOCUMENT_NAME, releases.releaseDocument().name());
        outputs.put(StackOutput.RELEASE_CHECK_DOCUMENT_NAME, releases.checkDocument().name());
        outputs.put(StackOutput.RELEASE_REPOSITORY, config.release().repository());
        outputs.put(StackOutput.RELEASE_IMAGE_URI, releases.imageUri());
        outputs.put(
                StackOutput.RELEASE_RESTORE_POINT,
                Boolean.toString(config.release().restorePoint()));
        outputs.put(StackOutput.RELEASE_BATCH, Integer.toString(config.release().batch()));
        outputs.put(
                StackOutput.HOST_POLICY_ARN,
                databaseBackups.hostManagedPolicy().getManagedPolicyArn());
        outputs.put(
                StackOutput.SIGNATURE_REQUIRED,
                Json.MAPPER.valueToTree(config.signing().required()).toString());
        outputs.put(StackOutput.VERIFY_RULES, compactJson(config.checks().verifyRules()));
        outputs.put(StackOutput.DEAD_LETTER_QUEUE_URL, alerting.deadLetters().getQueueUrl());
        Map<String, String> encryption = new java.util.TreeMap<>();
        config.repositories().forEach(r -> encryption.put(r, config.estate().encryption()));
        outputs.put(StackOutput.REPOSITORY_ENCRYPTION, Json.of(encryption));
        for (StackOutput o : StackOutput.values()) {
            if (!outputs.containsKey(o)) {
                throw new IllegalStateException(
                        "the stack writes no value for its output " + o.id());
            }
            CfnOutput.Builder.create(this, o.id())
                    .description(o.description())
                    .value(StackOutput.write(outputs.get(o)))
                    .build();
        }
    }

    /** JSON without its layout (an output value is read back by bin/qm, not by people). */
    private static String compactJson(String json) {
        try {
            return Json.MAPPER.readTree(json).toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(
                    "verifyRules is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void nagSuppressions() {
        NagSuppressions.addStackSuppressions(
                this,
                List.of(
                        suppress(
                                "AwsSolutions-IAM4",
                                "AWSLambdaBasicExecutionRole only lets the functions write their own logs"),
                        suppress(
                                "AwsSolutions-IAM5",
                                "Wildcards are limited to: ecr:GetAuthorizationToken (AWS supports only *), "
                                        + "objects under fixed bucket prefixes, the SSM output log group's streams (:*), "
                                        + "SendCommand on instance/* under an ssm:resourceTag condition for the host tag, "
                                        + "the SSM read actions without resource-level permissions (DescribeInstanceInformation, "
                                        + "ListCommands, GetCommandInvocation), the KMS key policy's own key (*)"),
                        suppress(
                                "AwsSolutions-L1",
                                "java21 is the runtime the functions are built and tested for"),
                        suppress("AwsSolutions-SQS3", "This queue is the dead-letter queue"),
                        suppress(
                                "AwsSolutions-S1",
                                "Access to the backup and archive buckets is by the host role and the status function only; "
                                        + "a second bucket for access logs would double the storage to manage for a small team. "
                                        + "Enable CloudTrail data events if you need an access trail.")),
                true);
    }

    private static NagPackSuppression suppress(String id, String reason) {
        return NagPackSuppression.builder().id(id).reason(reason).build();
    }

    static String pascal(String name) {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }

    public Table ledger() {
        return ledger;
    }
}
