package dev.quartermaster.cli.release;

import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.common.Platform;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.release.DatabaseReturn;
import dev.quartermaster.release.ReleaseRoll;
import dev.quartermaster.release.ReleaseRoot;

import java.io.PrintStream;
import java.time.Clock;

/**
 * The rolling release as bin/qm release builds it on the local site ({@link ReleaseContext#local}),
 * for the permission tier: the operator's calls with the operator's platform, the hosts' ends taken
 * by {@code commandsRan} (there: release-status invoked under its own access key). No restore point
 * (the backup functions' paths are checked elsewhere in the tier).
 */
public final class PermissionsRoll {
    private PermissionsRoll() {}

    public static ReleaseRoll roll(
            Platform operator, CommandRunner commands, Runnable commandsRan, PrintStream out) {
        ReleaseFlow flow =
                new ReleaseFlow(
                        ReleaseRoot.operatorService(operator, commands),
                        ReleaseRoot.store(operator),
                        BackupRoot.service(operator, commands),
                        BackupRoot.store(operator),
                        false,
                        commandsRan::run,
                        out,
                        true);
        return new ReleaseRoll(
                ReleaseRoot.rolls(operator),
                ReleaseRoot.store(operator),
                flow.hosts(),
                DatabaseReturn.NONE,
                Clock.systemUTC(),
                out::println);
    }
}
