package dev.quartermaster.release;

import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.backup.CommandRunner;
import dev.quartermaster.common.Platform;

import java.time.Clock;

/** The release feature's composition root: what release-status, release-drift and bin/qm release are built from. */
public final class ReleaseRoot {
    private ReleaseRoot() {
    }

    public static ReleaseService service(Platform p) {
        return service(p, BackupRoot.ssmCommands(p));
    }

    /** With another command runner (bin/qm's local agent, a test's recording fake). */
    public static ReleaseService service(Platform p, CommandRunner commands) {
        return new ReleaseService(ReleaseConfig.from(p.settings()), store(p), p.ledgerStore(), commands, p.alerts(), Clock.systemUTC());
    }

    public static ReleaseStore store(Platform p) {
        return new DynamoDbReleaseStore(p.dynamoDb(), p.settings().require("TABLE_NAME"));
    }
}
