package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.BackupOptions;
import dev.quartermaster.contract.options.HostOptions;
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
 * The database side: the SSM documents the host runs (dump, restore, drill), the host's managed
 * policy (write only under staging/), and the four backup functions with their schedules and the
 * SSM status rule.
 */
public final class DatabaseBackups extends Construct {
    /**
     * The backup bucket is made by the stack (it is kept when the stack is deleted); the rest comes
     * from cdk.json.
     */
    public record Props(
            Bucket bucket, BackupOptions options, HostOptions hosts, FunctionFactory functions) {
        public Props {
            if (bucket == null || options == null || hosts == null || functions == null) {
                throw new IllegalArgumentException(
                        "DatabaseBackups needs the backup bucket, the backup options, the hosts and the function factory");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private Bucket bucket;
            private BackupOptions options;
            private HostOptions hosts;
            private FunctionFactory functions;

            public Builder bucket(Bucket v) {
                this.bucket = v;
                return this;
            }

            public Builder options(BackupOptions v) {
                this.options = v;
                return this;
            }

            public Builder hosts(HostOptions v) {
                this.hosts = v;
                return this;
            }

            Builder functions(FunctionFactory v) {
                this.functions = v;
                return this;
            }

            public Props build() {
                return new Props(bucket, options, hosts, functions);
            }
        }
    }

    private final Props props;
    private final BackupOptions config;
    private final HostOptions hosts;
    private final Bucket bucket;
    private final LogGroup commandLogs;
    private final ShellDocument dumpDocument;
    private final ShellDocument restoreDocument;
    private final ShellDocument fingerprintDocument;
    private final ShellDocument drillDocument;
    private ManagedPolicy hostPolicy;

    public DatabaseBackups(Construct scope, String id, Props props) {
        super(scope, id);
        this.props = props;
        this.config = props.options();
        this.hosts = props.hosts();
        this.bucket = props.bucket();
        this.commandLogs =
                LogGroup.Builder.create(this, "CommandLogs")
                        .logGroupName(
                                "/quartermaster/"
                                        + software.amazon.awscdk.Stack.of(this).getStackName()
                                        + "/ssm")
                        .retention(RetentionDays.ONE_MONTH)
                        .removalPolicy(RemovalPolicy.DESTROY)
                        .build();
        this.dumpDocument = document("DumpDocument", HostDocument.DUMP);
        this.restoreDocument = document("RestoreDocument", HostDocument.RESTORE);
        // read-only: bin/qm rollback compares the live schema with the restore point's
        this.fingerprintDocument = document("FingerprintDocument", HostDocument.FINGERPRINT);
        this.drillDocument =
                document(
                        "DrillDocument",
                        HostDocument.DRILL); // the drill's own: it never touches the live database
        hostPolicy();
        QmFunction start =
                scheduled(
                        Catalog.BACKUP_START,
                        "BackupSchedule",
                        Schedule.expression(config.schedule()));
        HostCommands.allowSend(start, dumpDocument, List.of(hosts.database()));
        backupStatus();
        QmFunction drill =
                scheduled(
                        Catalog.RESTORE_DRILL,
                        "RestoreDrillSchedule",
                        Schedule.expression(config.drillSchedule()));
        HostCommands.allowSend(
                drill,
                drillDocument,
                List.of(hosts.database())); // only the drill document, never the restore one
        scheduled(
                Catalog.BACKUP_WATCHDOG,
                "BackupWatchdogSchedule",
                Schedule.rate(Duration.hours(1)));
    }

    private ShellDocument document(String id, HostDocument doc) {
        return new ShellDocument(this, id, doc, Map.of(), 3600);
    }

    /** What the EC2 host's instance role needs; attach it beside AmazonSSMManagedInstanceCore. */
    private void hostPolicy() {
        ManagedPolicy policy =
                this.hostPolicy =
                        ManagedPolicy.Builder.create(this, "HostPolicy")
                                .description(
                                        "Quartermaster: lets the database host stage backups and read committed ones. Attach to the EC2 instance role.")
                                .statements(
                                        List.of(
                                                // the host writes only under staging/: a
                                                // compromised host cannot replace a committed
                                                // backup
                                                PolicyStatement.Builder.create()
                                                        .effect(Effect.ALLOW)
                                                        .actions(
                                                                List.of(
                                                                        "s3:PutObject",
                                                                        "s3:GetObject",
                                                                        "s3:DeleteObject",
                                                                        "s3:AbortMultipartUpload"))
                                                        .resources(
                                                                List.of(
                                                                        bucket.arnForObjects(
                                                                                "staging/*")))
                                                        .build(),
                                                PolicyStatement.Builder.create()
                                                        .effect(Effect.ALLOW)
                                                        .actions(
                                                                List.of(
                                                                        "s3:GetObject",
                                                                        "s3:GetObjectVersion"))
                                                        .resources(
                                                                List.of(
                                                                        bucket.arnForObjects(
                                                                                "backups/*")))
                                                        .build(),
                                                // the SSM agent writes the commands' output with
                                                // the instance's role
                                                PolicyStatement.Builder.create()
                                                        .effect(Effect.ALLOW)
                                                        .actions(List.of("s3:PutObject"))
                                                        .resources(
                                                                List.of(
                                                                        bucket.arnForObjects(
                                                                                "ssm-output/*")))
                                                        .build(),
                                                PolicyStatement.Builder.create()
                                                        .effect(Effect.ALLOW)
                                                        .actions(List.of("s3:ListBucket"))
                                                        .resources(List.of(bucket.getBucketArn()))
                                                        .conditions(
                                                                Map.of(
                                                                        "StringLike",
                                                                        Map.of(
                                                                                "s3:prefix",
                                                                                List.of(
                                                                                        "backups/",
                                                                                        "backups/*"))))
                                                        .build(),
                                                PolicyStatement.Builder.create()
                                                        .effect(Effect.ALLOW)
                                                        .actions(
                                                                List.of(
                                                                        "logs:CreateLogStream",
                                                                        "logs:PutLogEvents",
                                                                        "logs:DescribeLogStreams"))
                                                        .resources(
                                                                List.of(
                                                                        commandLogs
                                                                                .getLogGroupArn()))
                                                        .build()))
                                .build();
        if (!config.dbPasswordParameter().isEmpty()) {
            String name =
                    config.dbPasswordParameter().startsWith("/")
                            ? config.dbPasswordParameter().substring(1)
                            : config.dbPasswordParameter();
            policy.addStatements(
                    PolicyStatement.Builder.create()
                            .effect(Effect.ALLOW)
                            .actions(List.of("ssm:GetParameter"))
                            .resources(
                                    List.of(
                                            "arn:"
                                                    + Aws.PARTITION
                                                    + ":ssm:"
                                                    + Aws.REGION
                                                    + ":"
                                                    + Aws.ACCOUNT_ID
                                                    + ":parameter/"
                                                    + name))
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
        m.put(Setting.HOSTS, hosts.json());
        m.put(Setting.DUMP_DOCUMENT, dumpDocument.name());
        m.put(Setting.DRILL_DOCUMENT, drillDocument.name());
        m.put(Setting.BACKUP_COMPRESSION, config.compression());
        m.put(Setting.BACKUP_WINDOW_HOURS, Integer.toString(config.windowHours()));
        m.put(Setting.MAX_BACKUP_AGE_HOURS, Integer.toString(config.maxBackupAgeHours()));
        m.put(Setting.COMMAND_LOG_GROUP, commandLogs.getLogGroupName());
        return m;
    }

    private QmFunction scheduled(FunctionSpec spec, String ruleId, Schedule schedule) {
        QmFunction fn = props.functions().create(this, spec, backupSettings());
        Rule.Builder.create(this, ruleId)
                .description(spec.description())
                .schedule(schedule)
                .targets(List.of(fn.target()))
                .build();
        return fn;
    }

    private void backupStatus() {
        QmFunction fn = props.functions().create(this, Catalog.BACKUP_STATUS, backupSettings());
        // the commit: read what the host staged, copy it under backups/ with its manifest, remove
        // the staged pair
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject", "s3:DeleteObject"))
                                .resources(List.of(bucket.arnForObjects("staging/*")))
                                .build());
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(
                                        List.of(
                                                "s3:GetObject",
                                                "s3:PutObject",
                                                "s3:AbortMultipartUpload"))
                                .resources(List.of(bucket.arnForObjects("backups/*")))
                                .build());
        // a staged object already committed or removed (a redelivered event, a crash mid-commit)
        // answers 404 only with this
        fn.allowMissingKeys(bucket);
        // the drill's evidence is its command output (these actions have no resource-level
        // permissions)
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("ssm:ListCommands", "ssm:GetCommandInvocation"))
                                .resources(List.of("*"))
                                .build());
        Rule.Builder.create(this, "BackupStatusRule")
                .description("SSM results of Quartermaster's dump and drill commands")
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of("aws.ssm"))
                                .detailType(
                                        List.of(
                                                "EC2 Command Invocation Status-change Notification"))
                                .detail(
                                        Map.of(
                                                "document-name",
                                                List.of(dumpDocument.name(), drillDocument.name())))
                                .build())
                .targets(List.of(fn.target()))
                .build();
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

    public ShellDocument fingerprintDocument() {
        return fingerprintDocument;
    }

    public ShellDocument drillDocument() {
        return drillDocument;
    }
}
