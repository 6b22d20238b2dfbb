package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.CdkContext;
import dev.quartermaster.cli.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.ops.AlertsView;
import dev.quartermaster.cli.ops.ReportPage;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.release.ReleaseRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** bin/qm report: the evidence page, from the records, for auditors and owners. */
@Command(name = "report", description = {"Write one self-contained HTML page of evidence from the records: backups (size, duration, checksums,",
        "row counts, drills), releases per host (who, forced, outcome, rollbacks), verdicts and signatures per day, the archive's",
        "growth, replicas, every override with its reason, the alerts. Charts are inline SVG; the page needs nothing else."})
public final class ReportCommand implements Callable<Integer> {
    @Mixin
    Target target = new Target();

    @Option(names = "--since", defaultValue = "90d", description = "how far back: 90d, 12h or an instant (default: ${DEFAULT-VALUE})")
    String since;

    @Option(names = "--out", required = true, description = "the HTML file to write, e.g. evidence.html")
    Path out;

    @Option(names = "-c", description = "cdk.json context override, key=value, as cdk takes it (repositories, database)")
    List<String> context = List.of();

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        Instant from = AlertsView.since(since, now);
        CdkContext cdk = CdkContext.read(LocalEnvironment.home(), context);
        String database = cdk.text("database") == null ? Setting.DATABASE.defaultValue() : cdk.text("database");
        Path written;
        if (target.aws) {
            Platform p = target.awsPlatform();
            List<String> repositories;
            try (LocalEnvironment local = LocalEnvironment.persistent().context(context)) {
                repositories = local.managedRepositories(); // as cdk.json names them, like the deployed stack
            }
            written = ReportPage.write(ReportPage.Inputs.of("the deployed stack (table " + p.table() + ")", p, ReleaseRoot.service(p).config(),
                    repositories, p.settings().get("DATABASE").orElse(database)), from, now, out);
        } else {
            try (LocalEnvironment local = LocalEnvironment.persistent().context(context)) {
                Platform p = LocalServices.platform(local, System.err);
                written = ReportPage.write(ReportPage.Inputs.of("the local state (.qm/)", p, ReleaseContext.reader(local, p).config(),
                        local.managedRepositories(), database), from, now, out);
            }
        }
        System.out.println("report written: " + written.toAbsolutePath() + " (" + ReportPage.CHARTS.size() + " charts, " + from + " to " + now + ")");
        return 0;
    }
}
