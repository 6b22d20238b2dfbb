package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Platform;
import dev.quartermaster.release.ReleaseRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** bin/qm report: the evidence page, from the records, for auditors and owners. */
@Command(
        name = "report",
        description = {
            "Write one self-contained HTML page of evidence from the records: backups (size, duration, checksums,",
            "row counts, drills), releases per host (who, forced, outcome, rollbacks), verdicts and signatures per day, the archive's",
            "growth, replicas, every override with its reason, the alerts. Charts are inline SVG; the page needs nothing else."
        })
public final class ReportCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Option(
            names = "--since",
            defaultValue = "90d",
            description = "how far back: 90d, 12h or an instant (default: ${DEFAULT-VALUE})")
    String since;

    @Option(
            names = "--out",
            required = true,
            description = "the HTML file to write, e.g. evidence.html")
    Path out;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        Instant from = AlertsView.since(since, now);
        String database = target.configuration().backups().database();
        Path written;
        if (target.aws) {
            Platform p = target.awsPlatform();
            List<String> repositories;
            try (LocalEnvironment local = target.local()) {
                repositories =
                        local.managedRepositories(); // as cdk.json names them, like the deployed
                // stack
            }
            written =
                    ReportPage.write(
                            ReportPage.Inputs.of(
                                    "the deployed stack (table " + p.table() + ")",
                                    p,
                                    ReleaseRoot.service(p).config(),
                                    repositories,
                                    p.settings().get("DATABASE").orElse(database)),
                            from,
                            now,
                            out);
        } else {
            try (LocalEnvironment local = target.local()) {
                Platform p = LocalServices.platform(local, System.err);
                written =
                        ReportPage.write(
                                ReportPage.Inputs.of(
                                        "the local state (.qm/)",
                                        p,
                                        ReleaseContext.reader(local, p).config(),
                                        local.managedRepositories(),
                                        database),
                                from,
                                now,
                                out);
            }
        }
        System.out.println(
                "report written: "
                        + written.toAbsolutePath()
                        + " ("
                        + ReportPage.CHARTS.size()
                        + " charts, "
                        + from
                        + " to "
                        + now
                        + ")");
        return 0;
    }
}
