package dev.quartermaster.backup;

import dev.quartermaster.common.Platform;

import java.time.Clock;

/** The backup feature's composition root: what backup-start, backup-status, restore-drill and backup-watchdog are built from. */
public final class BackupRoot {
    private BackupRoot() {
    }

    /** The backup service with SSM Run Command (AWS). */
    public static BackupService service(Platform p) {
        return service(p, ssmCommands(p));
    }

    /** The backup service with another command runner (bin/qm's local agent, a test's recording fake). */
    public static BackupService service(Platform p, CommandRunner commands) {
        BackupConfig config = BackupConfig.from(p.settings());
        var s3 = Platform.memo(() -> dev.quartermaster.common.S3Clients.create(p.clients()));
        return new BackupService(config, store(p), new S3BackupObjects(s3), commands, p.ledgerStore(), p.idempotency(), p.alerts(),
                Clock.systemUTC());
    }

    public static BackupStore store(Platform p) {
        return new DynamoDbBackupStore(p.dynamoDb(), p.settings().require("TABLE_NAME"));
    }

    /** SSM Run Command, its client built when a command is first sent or read. */
    public static CommandRunner ssmCommands(Platform p) {
        // only what the runner uses: the release functions build it too, without the backup settings
        var ssm = Platform.memo(() -> p.clients().configure(software.amazon.awssdk.services.ssm.SsmClient.builder(), "SSM").build());
        return new SsmCommandRunner(ssm, p.settings().require("BACKUP_BUCKET"), p.settings().getOrDefault("COMMAND_LOG_GROUP", "/quartermaster/ssm"));
    }
}
