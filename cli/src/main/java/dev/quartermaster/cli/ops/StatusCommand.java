package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.options.BackupOptions;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.lifecycle.LifecycleRoot;
import dev.quartermaster.release.ReleaseRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * bin/qm status: what runs, the backups, the images, the archive, the last alerts; exit 1 when
 * something needs attention.
 */
@Command(
        name = "status",
        description = {
            "One screen: what runs on each app host and since when, the newest verified backup and the last drill,",
            "image verdicts of the last 7 days and the newest problems, the archive, the last alerts (from the alert log).",
            "Exit 0: all is well; 1: something needs attention (each reason listed) — for cron or a monitoring agent."
        })
public final class StatusCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Override
    public Integer call() throws Exception {
        BackupOptions backups = target.configuration().backups();
        int maxAge = backups.maxBackupAgeHours();
        String database = backups.database();
        boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
        if (target.aws) {
            Platform p = target.awsPlatform();
            List<String> repositories;
            try (LocalEnvironment local = target.local()) {
                repositories =
                        local.managedRepositories(); // as cdk.json names them, like the deployed
                // stack
            }
            StatusView.Guard guard =
                    StatusView.Guard.of(
                            repositories, LifecycleRoot.policyRuns(p), LifecycleRoot.hearing(p));
            return StatusView.print(
                    StatusView.collect(
                            ReleaseRoot.service(p),
                            ReleaseRoot.store(p),
                            BackupRoot.store(p),
                            LedgerRoot.store(p),
                            guard,
                            database,
                            maxAge,
                            StatusView.sources(p),
                            DeadLetters.sqs(p.settings()),
                            Instant.now()),
                    target.json(),
                    colour,
                    System.out);
        }
        try (LocalEnvironment local = target.local()) {
            return StatusView.print(
                    StatusView.local(local, database, maxAge), target.json(), colour, System.out);
        }
    }
}
