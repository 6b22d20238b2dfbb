package dev.quartermaster.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.ecr.ImageTagMutabilityExclusionFilter;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.StorageClass;
import software.amazon.awscdk.services.s3.Transition;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole product in one stack. Read the constructor as a table of contents.
 */
public final class QuartermasterStack extends Stack {
    private final Config config;
    private final Code code;
    private final Topic alerts;
    private final Queue deadLetters;
    private final Table ledger;
    private final List<Repository> repositories = new ArrayList<>();
    private final Bucket backups;
    private final software.amazon.awscdk.services.logs.LogGroup commandLogs;
    private final ShellDocument dumpDocument;
    private final ShellDocument restoreDocument;
    private final ShellDocument drillDocument;
    private final Map<String, QmFunction> functions = new HashMap<>();

    public QuartermasterStack(Construct scope, String id, StackProps props, Config config, Code functionsCode) {
        super(scope, id, props);
        this.config = config;
        this.code = functionsCode;
        this.alerts = alertTopic();
        this.deadLetters = deadLetterQueue();
        this.ledger = ledgerTable();
        config.repositories().forEach(name -> repositories.add(repository(name)));
        imageLedger();
        imageVerification();
        scanGate();
        this.backups = backupBucket();
        this.commandLogs = software.amazon.awscdk.services.logs.LogGroup.Builder.create(this, "CommandLogs")
                .logGroupName("/quartermaster/" + id + "/ssm")
                .retention(software.amazon.awscdk.services.logs.RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        this.dumpDocument = dumpDocument();
        this.restoreDocument = restoreDocument();
        this.drillDocument = drillDocument();
        hostPolicy();
        scheduledBackups();
        backupStatus();
        restoreDrill();
        backupWatchdog();
        rejectedEventsAlarm();
        outputs();
        nagSuppressions();
    }

    private Topic alertTopic() {
        // a customer-managed key: CloudWatch alarms (and EventBridge) cannot publish to a topic encrypted
        // with the AWS-managed alias/aws/sns key, whose policy they are not in; with that key the alarms notify no one
        Key key = Key.Builder.create(this, "AlertsKey")
                .description("Quartermaster alert topic: lets CloudWatch alarms and EventBridge publish to it")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .pendingWindow(Duration.days(7))
                .build();
        key.addToResourcePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
        Topic topic = Topic.Builder.create(this, "Alerts")
                .displayName("Quartermaster alerts")
                .enforceSsl(true)
                .masterKey(key)
                .build();
        if (!config.alertEmail().isEmpty()) {
            topic.addSubscription(new EmailSubscription(config.alertEmail()));
        }
        return topic;
    }

    private Queue deadLetterQueue() {
        Queue q = Queue.Builder.create(this, "DeadLetters")
                .retentionPeriod(Duration.days(14))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .build();
        Alarm alarm = Alarm.Builder.create(this, "DeadLettersAlarm")
                .alarmDescription("Events Quartermaster could not process are waiting in the dead-letter queue")
                .metric(q.metricApproximateNumberOfMessagesVisible().with(
                        software.amazon.awscdk.services.cloudwatch.MetricOptions.builder().period(Duration.minutes(5)).build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(new SnsAction(alerts));
        return q;
    }

    private Table ledgerTable() {
        return Table.Builder.create(this, "Ledger")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
                .timeToLiveAttribute("expiresAt")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    private Repository repository(String name) {
        String id = "Repository" + pascal(name);
        Repository.Builder b = Repository.Builder.create(this, id)
                .repositoryName(name)
                .imageScanOnPush(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .lifecycleRules(List.of(
                        LifecycleRule.builder().rulePriority(1)
                                .description("expire untagged images after " + config.untaggedExpiryDays() + " days")
                                .tagStatus(TagStatus.UNTAGGED)
                                .maxImageAge(Duration.days(config.untaggedExpiryDays())).build(),
                        LifecycleRule.builder().rulePriority(2)
                                .description("keep the last " + config.keepTaggedImages() + " images")
                                .tagStatus(TagStatus.ANY)
                                .maxImageCount(config.keepTaggedImages()).build()));
        if (config.mutableTagPatterns().isEmpty()) {
            b.imageTagMutability(TagMutability.IMMUTABLE);
        } else {
            b.imageTagMutability(TagMutability.IMMUTABLE_WITH_EXCLUSION)
                    .imageTagMutabilityExclusionFilters(config.mutableTagPatterns().stream()
                            .map(ImageTagMutabilityExclusionFilter::wildcard).toList());
        }
        return b.build();
    }

    private QmFunction function(String name, String handler, int memoryMb, int timeoutSeconds, Map<String, String> env,
                                List<String> tableActions) {
        Map<String, String> all = new HashMap<>(env);
        all.put("TABLE_NAME", ledger.getTableName());
        all.put("ALERT_TOPIC_ARN", alerts.getTopicArn());
        all.put("EXPECTED_ACCOUNT", Aws.ACCOUNT_ID); // events from another account or region are rejected
        QmFunction fn = new QmFunction(this, pascal(name), QmFunction.Props.builder()
                .functionName(name).handler(handler).code(code).environment(all)
                .memoryMb(memoryMb).timeoutSeconds(timeoutSeconds).deadLetters(deadLetters).build());
        // only the table actions this function uses: no Scan, no BatchWriteItem, DeleteItem only to release a claim
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(tableActions.stream().map(a -> "dynamodb:" + a).toList())
                .resources(List.of(ledger.getTableArn())).build());
        alerts.grantPublish(fn.function());
        functions.put(name, fn);
        return fn;
    }

    /** image-action: reads heads and images, writes one transaction per event, marks alerts delivered. */
    private static final List<String> LEDGER_WRITER = List.of("GetItem", "Query", "PutItem", "UpdateItem", "ConditionCheckItem");
    /** image-verify, image-scan: claim the work (put/get/delete a claim), update the image item. */
    private static final List<String> CLAIMS_AND_UPDATES = List.of("GetItem", "PutItem", "UpdateItem", "DeleteItem");
    /** the backup functions: claims, backup records (put, conditional settle), listing records by time. */
    private static final List<String> BACKUP_RECORDS = List.of("GetItem", "PutItem", "DeleteItem", "Query");

    private EventPattern ecrPattern(String detailType, Map<String, Object> detail) {
        Map<String, Object> d = new HashMap<>(detail);
        d.put("repository-name", config.repositories());
        return EventPattern.builder().source(List.of("aws.ecr")).detailType(List.of(detailType)).detail(d).build();
    }

    private void imageLedger() {
        QmFunction fn = function("image-action", "dev.quartermaster.ledger.ImageActionHandler", 1024, 30, Map.of(), LEDGER_WRITER);
        Rule.Builder.create(this, "ImageActionRule")
                .description("Every push and delete in the managed ECR repositories, to the ledger")
                .eventPattern(ecrPattern("ECR Image Action", Map.of()))
                .targets(List.of(fn.target()))
                .build();
    }

    private void imageVerification() {
        // downloads at most the layers down to the one holding the version file, streaming: 1 GB, 2 min
        QmFunction fn = function("image-verify", "dev.quartermaster.verify.VerifyHandler", 1024, 120, Map.of(
                "VERIFY_RULES", config.verifyRules(),
                "REGISTRY_URL", "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX,
                "REGISTRY_AUTH", "ecr"), CLAIMS_AND_UPDATES);
        repositories.forEach(r -> r.grantPull(fn.function()));
        Rule.Builder.create(this, "ImageVerifyRule")
                .description("Successful tagged pushes, to version verification")
                .eventPattern(ecrPattern("ECR Image Action", Map.of("action-type", List.of("PUSH"), "result", List.of("SUCCESS"))))
                .targets(List.of(fn.target()))
                .build();
    }

    private void scanGate() {
        QmFunction fn = function("image-scan", "dev.quartermaster.verify.ScanHandler", 1024, 30, Map.of(
                "SCAN_MAX_CRITICAL", Integer.toString(config.scanMaxCritical()),
                "SCAN_MAX_HIGH", Integer.toString(config.scanMaxHigh())), CLAIMS_AND_UPDATES);
        Rule.Builder.create(this, "ImageScanRule")
                .description("Completed ECR scans, to the scan gate")
                .eventPattern(ecrPattern("ECR Image Scan", Map.of("scan-status", List.of("COMPLETE"))))
                .targets(List.of(fn.target()))
                .build();
    }

    private Bucket backupBucket() {
        List<software.amazon.awscdk.services.s3.LifecycleRule> rules = new ArrayList<>();
        var backupRule = software.amazon.awscdk.services.s3.LifecycleRule.builder()
                .id("ExpireBackups").prefix("backups/").expiration(Duration.days(config.backupRetentionDays()));
        if (config.backupColdAfterDays() > 0) {
            backupRule.transitions(List.of(Transition.builder().storageClass(StorageClass.GLACIER_INSTANT_RETRIEVAL)
                    .transitionAfter(Duration.days(config.backupColdAfterDays())).build()));
        }
        rules.add(backupRule.build());
        rules.add(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                .id("ExpireStaging").prefix("staging/").expiration(Duration.days(1)).build());
        rules.add(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                .id("ExpireCommandOutput").prefix("ssm-output/").expiration(Duration.days(30)).build());
        rules.add(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                .id("NoncurrentAndUploads").noncurrentVersionExpiration(Duration.days(7))
                .abortIncompleteMultipartUploadAfter(Duration.days(1)).expiredObjectDeleteMarker(true).build());
        return Bucket.Builder.create(this, "Backups")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .versioned(true)
                .lifecycleRules(rules)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    private static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    private static final String KEY = "^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,500}$";
    private static final String OPTIONAL_KEY = "^([A-Za-z0-9][A-Za-z0-9/_.:-]{0,500})?$";
    private static final String DB = "^[A-Za-z0-9_]{1,64}$";
    private static final String CONTAINER = "^([A-Za-z0-9][A-Za-z0-9_.-]{0,127})?$";

    private ShellDocument dumpDocument() {
        return new ShellDocument(this, "DumpDocument", "backup-dump.sh",
                "Quartermaster: dump a MariaDB database, compress and checksum it, stream it to S3 staging/ with a manifest (the backup-status function commits it under backups/)",
                List.of(new ShellDocument.Param("bucket", "QM_BUCKET", BUCKET, null, "Backup bucket"),
                        new ShellDocument.Param("key", "QM_KEY", KEY, null, "Object key under backups/, e.g. backups/wordpress/2026/11/23/20261123T030000Z.sql.gz"),
                        new ShellDocument.Param("database", "QM_DATABASE", DB, null, "Database to dump"),
                        new ShellDocument.Param("container", "QM_CONTAINER", CONTAINER, "", "Container running MariaDB (empty: MariaDB on the host)"),
                        new ShellDocument.Param("compression", "QM_COMPRESSION", "^(gzip|zstd)$", "gzip", "gzip or zstd"),
                        passwordParam()),
                3600);
    }

    private List<ShellDocument.Param> restoreParams(String databaseDescription) {
        return List.of(new ShellDocument.Param("bucket", "QM_BUCKET", BUCKET, null, "Backup bucket"),
                new ShellDocument.Param("key", "QM_KEY", OPTIONAL_KEY, "", "Backup key (empty: the latest backup with a manifest)"),
                new ShellDocument.Param("database", "QM_DATABASE", DB, null, databaseDescription),
                new ShellDocument.Param("container", "QM_CONTAINER", CONTAINER, "", "Container running MariaDB (empty: MariaDB on the host)"),
                passwordParam());
    }

    private ShellDocument restoreDocument() {
        return new ShellDocument(this, "RestoreDocument", "backup-restore.sh",
                "Quartermaster: restore a committed backup into a scratch database from one checksummed download, prove its row counts, then swap it in (the live database is untouched by any failure)",
                restoreParams("Database to replace"), Map.of("QM_MODE", "restore"), 3600);
    }

    /** The drill's own document: whatever it is sent, it restores into qm_drill_<database> and never touches the live one. */
    private ShellDocument drillDocument() {
        return new ShellDocument(this, "DrillDocument", "backup-restore.sh",
                "Quartermaster restore drill: restore a backup into the scratch database qm_drill_<database>, compare row counts, print the evidence, drop the scratch database",
                restoreParams("The live database whose backup is drilled (the drill never writes to it)"), Map.of("QM_MODE", "drill"), 3600);
    }

    private static ShellDocument.Param passwordParam() {
        return new ShellDocument.Param("passwordParameter", "QM_PASSWORD_PARAMETER", "^(/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$", "",
                "Host mode only: name of an SSM SecureString the host reads the database password from (never the password itself)");
    }

    /** What the EC2 host's instance role needs; attach it beside AmazonSSMManagedInstanceCore. */
    private void hostPolicy() {
        ManagedPolicy policy = ManagedPolicy.Builder.create(this, "HostPolicy")
                .description("Quartermaster: lets the database host write and read its backups. Attach to the EC2 instance role.")
                .statements(List.of(
                        // the host writes only under staging/: a compromised host cannot replace a committed backup
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"))
                                .resources(List.of(backups.arnForObjects("staging/*"))).build(),
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
                                .resources(List.of(backups.arnForObjects("backups/*"))).build(),
                        // the SSM agent writes the commands' output with the instance's role
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject"))
                                .resources(List.of(backups.arnForObjects("ssm-output/*"))).build(),
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:ListBucket"))
                                .resources(List.of(backups.getBucketArn()))
                                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of("backups/", "backups/*")))).build(),
                        // the SSM agent sends the commands' output to this log group with the instance's role
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                                .resources(List.of(commandLogs.getLogGroupArn())).build()))
                .build();
        if (!config.dbPasswordParameter().isEmpty()) {
            String name = config.dbPasswordParameter().startsWith("/") ? config.dbPasswordParameter().substring(1) : config.dbPasswordParameter();
            policy.addStatements(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                    .actions(List.of("ssm:GetParameter"))
                    .resources(List.of("arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":parameter/" + name))
                    .build());
        }
    }

    /**
     * SendCommand of one document, to instances carrying the host tag only (ssm:resourceTag), after
     * resolving the tag to exactly one instance (DescribeInstanceInformation has no resource-level
     * permissions, so it is on *).
     */
    private void allowSend(QmFunction fn, ShellDocument doc) {
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:SendCommand"))
                .resources(List.of("arn:" + Aws.PARTITION + ":ssm:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":document/" + doc.name()))
                .build());
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:SendCommand"))
                .resources(List.of("arn:" + Aws.PARTITION + ":ec2:" + Aws.REGION + ":" + Aws.ACCOUNT_ID + ":instance/*"))
                .conditions(Map.of("StringEquals", Map.of("ssm:resourceTag/" + config.hostTagKey(), config.hostTagValue())))
                .build());
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:DescribeInstanceInformation"))
                .resources(List.of("*"))
                .build());
    }

    private Map<String, String> hostEnv() {
        return Map.of("BACKUP_BUCKET", backups.getBucketName(),
                "HOST_TAG_KEY", config.hostTagKey(), "HOST_TAG_VALUE", config.hostTagValue(),
                "DATABASE", config.database(), "DB_CONTAINER", config.dbContainer(),
                "DUMP_DOCUMENT", dumpDocument.name(), "DRILL_DOCUMENT", drillDocument.name(),
                "BACKUP_WINDOW_HOURS", Integer.toString(config.backupWindowHours()),
                "DB_PASSWORD_PARAMETER", config.dbPasswordParameter(),
                "COMMAND_LOG_GROUP", commandLogs.getLogGroupName());
    }

    /** A function the given schedule invokes. */
    private QmFunction onSchedule(String name, String handler, String ruleId, String description, Schedule schedule) {
        QmFunction fn = function(name, handler, 1024, 30, hostEnv(), BACKUP_RECORDS);
        Rule.Builder.create(this, ruleId)
                .description(description)
                .schedule(schedule)
                .targets(List.of(fn.target()))
                .build();
        return fn;
    }

    private void scheduledBackups() {
        QmFunction fn = onSchedule("backup-start", "dev.quartermaster.backup.BackupStartHandler", "BackupSchedule",
                "Start the scheduled database backup", Schedule.expression(config.backupSchedule()));
        allowSend(fn, dumpDocument);
    }

    private void backupStatus() {
        // hashes the whole backup object: ~100 MB/s from S3, so 300 s covers dumps of several GB
        QmFunction fn = function("backup-status", "dev.quartermaster.backup.BackupStatusHandler", 1024, 300, hostEnv(), BACKUP_RECORDS);
        // the commit: read what the host staged, copy it under backups/ with its manifest, remove the staged pair
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:DeleteObject"))
                .resources(List.of(backups.arnForObjects("staging/*"))).build());
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"))
                .resources(List.of(backups.arnForObjects("backups/*"))).build());
        // the drill's evidence is its command output (these actions have no resource-level permissions)
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:ListCommandInvocations", "ssm:GetCommandInvocation"))
                .resources(List.of("*")).build());
        Rule.Builder.create(this, "BackupStatusRule")
                .description("SSM results of Quartermaster's dump and restore commands")
                .eventPattern(EventPattern.builder().source(List.of("aws.ssm"))
                        .detailType(List.of("EC2 Command Invocation Status-change Notification"))
                        .detail(Map.of("document-name", List.of(dumpDocument.name(), drillDocument.name())))
                        .build())
                .targets(List.of(fn.target()))
                .build();
    }

    private void restoreDrill() {
        QmFunction fn = onSchedule("restore-drill", "dev.quartermaster.backup.RestoreDrillHandler", "RestoreDrillSchedule",
                "Restore the latest verified backup into a scratch database and compare row counts",
                Schedule.expression(config.drillSchedule()));
        allowSend(fn, drillDocument); // the drill may send only the drill document, never the restore one
    }

    private void backupWatchdog() {
        onSchedule("backup-watchdog", "dev.quartermaster.backup.BackupWatchdogHandler", "BackupWatchdogSchedule",
                "Alert when a backup has not been verified within its window", Schedule.rate(Duration.hours(1)));
    }

    /** Malformed events are answered, not retried: this alarm makes sure a person still hears of them. */
    private void rejectedEventsAlarm() {
        Alarm.Builder.create(this, "RejectedEventsAlarm")
                .alarmDescription("Quartermaster rejected malformed events (see the function logs for the reason and payload)")
                .metric(Metric.Builder.create().namespace("Quartermaster").metricName("EventsRejected")
                        .dimensionsMap(Map.of("Application", "Quartermaster"))
                        .statistic("Sum").period(Duration.hours(1)).build())
                .threshold(1).evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build()
                .addAlarmAction(new SnsAction(alerts));
    }

    private void outputs() {
        CfnOutput.Builder.create(this, "LedgerTableName").value(ledger.getTableName()).build();
        CfnOutput.Builder.create(this, "BackupBucketName").value(backups.getBucketName()).build();
        CfnOutput.Builder.create(this, "AlertTopicArn").value(alerts.getTopicArn()).build();
        CfnOutput.Builder.create(this, "DumpDocumentName").value(dumpDocument.name()).build();
        CfnOutput.Builder.create(this, "RestoreDocumentName").value(restoreDocument.name()).build();
        CfnOutput.Builder.create(this, "DrillDocumentName").value(drillDocument.name()).build();
        CfnOutput.Builder.create(this, "DatabaseName").value(config.database()).build();
        CfnOutput.Builder.create(this, "DbContainer").value(config.dbContainer().isEmpty() ? "-" : config.dbContainer()).build();
        CfnOutput.Builder.create(this, "HostTag").value(config.hostTagKey() + "=" + config.hostTagValue()).build();
    }

    private void nagSuppressions() {
        NagSuppressions.addStackSuppressions(this, List.of(
                suppress("AwsSolutions-IAM4", "AWSLambdaBasicExecutionRole only lets the functions write their own logs"),
                suppress("AwsSolutions-IAM5", "Wildcards are limited to: ecr:GetAuthorizationToken (AWS supports only *), "
                        + "the ledger table's index/* ARN added by grantReadWriteData, objects under fixed bucket prefixes, "
                        + "S3 read actions added by grantRead (s3:GetObject*, s3:List*), the SSM output log group's streams (:*), "
                        + "SendCommand on instance/* under an ssm:resourceTag condition for the host tag, "
                        + "and the SSM read actions without resource-level permissions (DescribeInstanceInformation, "
                        + "ListCommandInvocations, GetCommandInvocation), the KMS key policy's own key (*)"),
                suppress("AwsSolutions-L1", "java21 is the runtime the functions are built and tested for"),
                suppress("AwsSolutions-SQS3", "This queue is the dead-letter queue"),
                suppress("AwsSolutions-S1", "Access to the backup bucket is by the host role and the status function only; "
                        + "a second bucket for access logs would double the storage to manage for a small team. "
                        + "Enable CloudTrail data events if you need an access trail.")), true);
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

    public Map<String, QmFunction> functions() {
        return Map.copyOf(functions);
    }
}
