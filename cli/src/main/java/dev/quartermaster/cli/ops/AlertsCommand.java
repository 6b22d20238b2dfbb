package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.AlertLog;
import dev.quartermaster.common.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * bin/qm alerts: the alert log, newest first: each kind and subject with how often, when, how it
 * was delivered, the next command.
 */
@Command(
        name = "alerts",
        description = {
            "The alert log (every alert, whatever raised it), newest first: kind, subject, how many times and when,",
            "whether it was sent, held back by a flood or summarised, and the command to run next."
        })
public final class AlertsCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Option(
            names = "--since",
            defaultValue = "7d",
            description = "how far back: 7d, 12h, 30m or an instant (default: ${DEFAULT-VALUE})")
    String since;

    @Option(
            names = "--kind",
            description =
                    "only this kind (MISMATCH, TAG_MOVED, BACKUP_FAILED, REPLICATION_FAILED, ALERT_FLOOD, ...)")
    String kind;

    @Option(
            names = "--limit",
            defaultValue = "200",
            description = "at most this many (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        boolean json = target.json();
        Instant from = AlertsView.since(since, Instant.now());
        if (target.aws) {
            return show(target.awsPlatform(), from, json);
        }
        try (LocalEnvironment local = target.local()) {
            return show(LocalServices.platform(local, System.err), from, json);
        }
    }

    private int show(Platform p, Instant from, boolean json) throws Exception {
        AlertLog log =
                p.alertLog()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no alert log: the stack's outputs name no AlertTableName; redeploy with this version (npx cdk deploy --outputs-file "
                                                        + Target.OUTPUTS
                                                        + ")"));
        return show(log, from, json, System.out);
    }

    int show(AlertLog log, Instant from, boolean json, java.io.PrintStream out) throws Exception {
        AlertsView.print(AlertsView.list(log, from, kind, limit), json, !target.aws, out);
        return 0;
    }
}
