package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The database side: the SSM documents the host runs (dump, restore, drill), the host's managed policy
 * (write only under staging/), and the four backup functions with their schedules and the SSM status rule.
 */
public final class DatabaseBackups extends Construct {
    /** The backup bucket is made by the stack (it is kept when the stack is deleted); the rest comes from cdk.json. */
    public record Props(Bucket bucket, Config config, FunctionFactory functions) {
        public Props {
            if (bucket == null || config == null || functions == null) {
                throw new IllegalArgumentException("DatabaseBackups needs the backup bucket, the configuration and the function factory");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private Bucket bucket;
            private Config config;
            private FunctionFactory functions;

            public Builder bucket(Bucket v) { this.bucket = v; return this; }
            public Builder config(Config v) { this.config = v; return this; }
            Builder functions(FunctionFactory v) { this.functions = v; return this; }

            public Props build() {
                return new Props(bucket, config, functions);
            }
        }
    }

    private static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    private static final String KEY = "^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,500}$";
    private static final String OPTIONAL_KEY = "^([A-Za-z0-9][A-Za-z0-9/_.:-]{0,500})?$";
    private static final String DB = "^[A-Za-z0-9_]{1,64}$";
    private static final String CONTAINER = "^([A-Za-z0-9][A-Za-z0-9_.-]{0,127})?$";

    private final Props props;
    private final Config config;
    private final Bucket bucket;
    private final LogGroup commandLogs;
    private final ShellDocument dumpDocument;
    private final ShellDocument restoreDocument;
    private final ShellDocument drillDocument;
    private ManagedPolicy hostPolicy;

    public DatabaseBackups(Construct scope, String id, Props props) {
        super(scope, id);
        this.props = props;
        this.config = props.config();
        this.bucket = props.bucket();
        this.commandLogs = LogGroup.Builder.create(this, "CommandLogs")
                .logGroupName("/quartermaster/" + software.amazon.awscdk.Stack.of(this).getStackName() + "/ssm")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        this.dumpDocument = newDumpDocument();
        this.restoreDocument = newRestoreDocument();
        this.drillDocument = newDrillDocument();
        hostPolicy();
        QmFunction start = scheduled(Catalog.BACKUP_START, "BackupSchedule", Schedule.expression(config.backupSchedule()));
        allowSend(start, dumpDocument, config);
        backupStatus();
        QmFunction drill = scheduled(Catalog.RESTORE_DRILL, "RestoreDrillSchedule", Schedule.expression(config.drillSchedule()));
        allowSend(drill, drillDocument, config); // the drill may send only the drill document, never the restore one
        scheduled(Catalog.BACKUP_WATCHDOG, "BackupWatchdogSchedule", Schedule.rate(Duration.hours(1)));
    }

    private ShellDocument newDumpDocument() {
        return new ShellDocument(this, "DumpDocument", ShellDocument.Props.builder().script("backup-dump.sh")
                .description("Quartermaster: dump a MariaDB database, compress and checksum it, stream it to S3 staging/ with a manifest "
                        + "(the backup-status function commits it under backups/)")
                .param(new ShellDocument.Param("bucket", "QM_BUCKET", BUCKET, null, "Backup bucket"))
                .param(new ShellDocument.Param("key", "QM_KEY", KEY, null,
                        "Object key under backups/, e.g. backups/wordpress/2026/11/23/20261123T030000Z.sql.gz"))
                .param(new ShellDocument.Param("database", "QM_DATABASE", DB, null, "Database to dump"))
                .param(new ShellDocument.Param("container", "QM_CONTAINER", CONTAINER, "", "Container running MariaDB (empty: MariaDB on the host)"))
                .param(new ShellDocument.Param("compression", "QM_COMPRESSION", "^(gzip|zstd)$", "gzip", "gzip or zstd"))
                .param(passwordParam())
                .build());
    }

    private static List<ShellDocument.Param> restoreParams(String databaseDescription) {
        return List.of(new ShellDocument.Param("bucket", "QM_BUCKET", BUCKET, null, "Backup bucket"),
                new ShellDocument.Param("key", "QM_KEY", OPTIONAL_KEY, "", "Backup key (empty: the latest backup with a manifest)"),
                new ShellDocument.Param("database", "QM_DATABASE", DB, null, databaseDescription),
                new ShellDocument.Param("container", "QM_CONTAINER", CONTAINER, "", "Container running MariaDB (empty: MariaDB on the host)"),
                passwordParam());
    }

    private ShellDocument newRestoreDocument() {
        return new ShellDocument(this, "RestoreDocument", ShellDocument.Props.builder().script("backup-restore.sh")
                .description("Quartermaster: restore a committed backup into a scratch database from one checksummed download, prove its "
                        + "row counts, then swap it in (the live database is untouched by any failure)")
                .params(restoreParams("Database to replace")).fixed("QM_MODE", "restore").build());
    }

    /** The drill's own document: whatever it is sent, it restores into qm_drill_<database> and never touches the live one. */
    private ShellDocument newDrillDocument() {
        return new ShellDocument(this, "DrillDocument", ShellDocument.Props.builder().script("backup-restore.sh")
                .description("Quartermaster restore drill: restore a backup into the scratch database qm_drill_<database>, compare row "
                        + "counts, print the evidence, drop the scratch database")
                .params(restoreParams("The live database whose backup is drilled (the drill never writes to it)"))
                .fixed("QM_MODE", "drill").build());
    }

    private static ShellDocument.Param passwordParam() {
        return new ShellDocument.Param("passwordParameter", "QM_PASSWORD_PARAMETER", "^(/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$", "",
                "Host mode only: name of an SSM SecureString the host reads the database password from (never the password itself)");
    }

    /** What the EC2 host's instance role needs; attach it beside AmazonSSMManagedInstanceCore. */
    private void hostPolicy() {
        ManagedPolicy policy = this.hostPolicy = ManagedPolicy.Builder.create(this, "HostPolicy")
                .description("Quartermaster: lets the database host stage backups and read committed ones. Attach to the EC2 instance role.")
                .statements(List.of(
                        // the host writes only under staging/: a compromised host cannot replace a committed backup
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"))
                                .resources(List.of(bucket.arnForObjects("staging/*"))).build(),
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
                                .resources(List.of(bucket.arnForObjects("backups/*"))).build(),
                        // the SSM agent writes the commands' output with the instance's role
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject"))
                                .resources(List.of(bucket.arnForObjects("ssm-output/*"))).build(),
                        PolicyStatement.Builder.create().effect(Effect.ALLOW)
                                .actions(List.of("s3:ListBucket"))
                                .resources(List.of(bucket.getBucketArn()))
                                .conditions(Map.of("StringLike", Map.of("s3:prefix", List.of("backups/", "backups/*")))).build(),
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

    /** The settings every backup function reads (the catalogue lists the same set for each). */
    private Map<Setting, String> backupSettings() {
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.BACKUP_BUCKET, bucket.getBucketName());
        m.put(Setting.DATABASE, config.database());
        m.put(Setting.DB_CONTAINER, config.dbContainer());
        m.put(Setting.DB_PASSWORD_PARAMETER, config.dbPasswordParameter());
        m.put(Setting.HOST_TAG_KEY, config.hostTagKey());
        m.put(Setting.HOST_TAG_VALUE, config.hostTagValue());
        m.put(Setting.DUMP_DOCUMENT, dumpDocument.name());
        m.put(Setting.DRILL_DOCUMENT, drillDocument.name());
        m.put(Setting.BACKUP_COMPRESSION, config.backupCompression());
        m.put(Setting.BACKUP_WINDOW_HOURS, Integer.toString(config.backupWindowHours()));
        m.put(Setting.MAX_BACKUP_AGE_HOURS, Integer.toString(config.maxBackupAgeHours()));
        m.put(Setting.COMMAND_LOG_GROUP, commandLogs.getLogGroupName());
        return m;
    }

    private QmFunction scheduled(FunctionSpec spec, String ruleId, Schedule schedule) {
        QmFunction fn = props.functions().create(this, spec, backupSettings());
        Rule.Builder.create(this, ruleId).description(spec.description()).schedule(schedule).targets(List.of(fn.target())).build();
        return fn;
    }

    private void backupStatus() {
        QmFunction fn = props.functions().create(this, Catalog.BACKUP_STATUS, backupSettings());
        // the commit: read what the host staged, copy it under backups/ with its manifest, remove the staged pair
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:DeleteObject"))
                .resources(List.of(bucket.arnForObjects("staging/*"))).build());
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"))
                .resources(List.of(bucket.arnForObjects("backups/*"))).build());
        // a staged object already committed or removed (a redelivered event, a crash mid-commit) answers 404 only with this
        fn.allowMissingKeys(bucket);
        // the drill's evidence is its command output (these actions have no resource-level permissions)
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:ListCommands", "ssm:GetCommandInvocation"))
                .resources(List.of("*")).build());
        Rule.Builder.create(this, "BackupStatusRule")
                .description("SSM results of Quartermaster's dump and drill commands")
                .eventPattern(EventPattern.builder().source(List.of("aws.ssm"))
                        .detailType(List.of("EC2 Command Invocation Status-change Notification"))
                        .detail(Map.of("document-name", List.of(dumpDocument.name(), drillDocument.name())))
                        .build())
                .targets(List.of(fn.target()))
                .build();
    }

    /**
     * SendCommand of one document, to instances carrying the host tag only (ssm:resourceTag), after
     * resolving the tag to exactly one instance (DescribeInstanceInformation has no resource-level
     * permissions, so it is on *).
     */
    static void allowSend(QmFunction fn, ShellDocument doc, Config config) {
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

    /** The EC2 host's policy: the release switch adds pulling the app's images to it. */
    public ManagedPolicy hostManagedPolicy() {
        return hostPolicy;
    }

    public LogGroup commandLogs() {
        return commandLogs;
    }

    public ShellDocument dumpDocument() {
        return dumpDocument;
    }

    public ShellDocument restoreDocument() {
        return restoreDocument;
    }

    public ShellDocument drillDocument() {
        return drillDocument;
    }
}
