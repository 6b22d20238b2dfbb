package dev.quartermaster.backup;

import dev.quartermaster.common.Platform;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.host.HostRoot;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.LedgerRoot;

import java.time.Clock;

/**
 * The backup feature's composition root: what backup-start, backup-status, restore-drill and
 * backup-watchdog are built from.
 */
public final class BackupRoot {
    private BackupRoot() {}

    /** The backup service with SSM Run Command (AWS). */
    public static BackupService service(Platform p) {
        return service(p, HostRoot.commands(p));
    }

    /**
     * The backup service with another command runner (bin/qm's local agent, a test's recording
     * fake).
     */
    public static BackupService service(Platform p, CommandRunner commands) {
        BackupConfig config = BackupConfig.from(p.settings());
        var s3 = Platform.memo(() -> dev.quartermaster.common.S3Clients.create(p.clients()));
        S3BackupObjects objects = new S3BackupObjects(s3);
        dev.quartermaster.common.Priming.reach(
                "S3", () -> objects.head(config.bucket(), "priming/none"));
        return new BackupService(
                config,
                store(p),
                objects,
                commands,
                LedgerRoot.store(p),
                IdempotencyRoot.store(p),
                p.alerts(),
                Clock.systemUTC());
    }

    public static BackupStore store(Platform p) {
        return new DynamoDbBackupStore(p.dynamoDb(), p.table());
    }
}
