package dev.quartermaster.host;

import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.Setting;

/**
 * The host's composition root: how commands reach the EC2 host (SSM Run Command), shared by the
 * features that act on it (backups, releases) and owned by neither.
 */
public final class HostRoot {
    private HostRoot() {}

    /**
     * The platform's command runner: SSM Run Command, unless the platform replaces it (bin/qm's
     * local agent, a test's fake).
     */
    public static CommandRunner commands(Platform p) {
        return p.shared(CommandRunner.class, HostRoot::ssmCommands);
    }

    /** SSM Run Command, its client built when a command is first sent or read. */
    public static CommandRunner ssmCommands(Platform p) {
        // only what the runner uses: the release functions build it too, without the backup
        // settings
        var ssm =
                Platform.memo(
                        () ->
                                p.clients()
                                        .configure(
                                                software.amazon.awssdk.services.ssm.SsmClient
                                                        .builder(),
                                                "SSM")
                                        .build());
        SsmCommandRunner runner =
                new SsmCommandRunner(
                        ssm,
                        p.settings().get(Setting.BACKUP_BUCKET),
                        p.settings().get(Setting.COMMAND_LOG_GROUP));
        dev.quartermaster.common.Priming.reach("SSM", runner::prime);
        return runner;
    }
}
