package dev.quartermaster.release;

import dev.quartermaster.common.Platform;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.host.HostRoot;
import dev.quartermaster.ledger.LedgerRoot;

import java.time.Clock;

/** The release feature's composition root: what release-status, release-drift and bin/qm release are built from. */
public final class ReleaseRoot {
    private ReleaseRoot() {
    }

    public static ReleaseService service(Platform p) {
        return service(p, HostRoot.ssmCommands(p));
    }

    /** With another command runner (bin/qm's local agent, a test's recording fake). */
    public static ReleaseService service(Platform p, CommandRunner commands) {
        return new ReleaseService(ReleaseConfig.from(p.settings()), store(p), LedgerRoot.store(p), commands, p.alerts(), Clock.systemUTC());
    }

    public static ReleaseStore store(Platform p) {
        return new DynamoDbReleaseStore(p.dynamoDb(), p.table());
    }
}
