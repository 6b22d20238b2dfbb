package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.CdkContext;
import dev.quartermaster.cli.Target;
import dev.quartermaster.cli.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.lifecycle.LifecyclePreview;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import dev.quartermaster.registry.EcrLifecyclePreview;
import dev.quartermaster.registry.RegistryRoot;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** bin/qm lifecycle preview: what the repositories' lifecycle rules would expire, and which of those lines would hurt. */
@Command(name = "lifecycle", subcommands = {LifecycleCommand.Preview.class},
        description = "The ECR lifecycle rules (cdk.json's lifecycleRules, protection first): preview what they would expire.")
public final class LifecycleCommand {
    private LifecycleCommand() {
    }

    @Command(name = "preview", description = {"What the lifecycle rules would expire and by which rule, evaluated with ECR's documented semantics",
            "on the ledger's images; each line that would hurt is flagged (RUNNING, ROLLBACK_TARGET, VERIFIED_NEWER_THAN_RELEASE,",
            "NOT_ARCHIVED). Exit 0: nothing that hurts; 1: some line hurts."})
    public static final class Preview implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", description = "repository (default: the release repository)")
        String repository;

        @Option(names = "-c", description = "cdk.json context override, key=value, as cdk takes it")
        List<String> context = List.of();

        @Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            LifecycleRules rules = CdkContext.read(LocalEnvironment.home(), context).lifecycle();
            if (target.aws) {
                Platform p = target.awsPlatform();
                return show(rules, p, ReleaseRoot.service(p), System.out);
            }
            try (LocalEnvironment local = LocalEnvironment.persistent()) {
                Platform p = LocalServices.platform(local, System.err);
                Map<String, String> settings = new java.util.HashMap<>(local.releaseSettings());
                ReleaseService releases = new ReleaseService(ReleaseConfig.from(Settings.of(settings)), ReleaseRoot.store(p), LedgerRoot.store(p),
                        null, ReleaseRoot.protection(new Platform(Settings.of(settings))), p.alerts(), java.time.Clock.systemUTC());
                return show(rules, p, releases, System.out);
            }
        }

        int show(LifecycleRules rules, Platform p, ReleaseService releases, PrintStream out) throws Exception {
            String repo = Validation.repository(repository != null ? repository : releases.config().repository());
            List<ImageRecord> images = LedgerRoot.store(p).images(repo);
            Set<String> running = new HashSet<>();
            Set<String> rollback = new HashSet<>();
            Instant releasedAt = null;
            if (repo.equals(releases.config().repository())) {
                for (var host : releases.config().hosts()) {
                    var last = releases.lastGood(host.name());
                    last.map(ReleaseRecord::running).ifPresent(running::add);
                    releases.previousGood(host.name()).map(ReleaseRecord::running).ifPresent(rollback::add);
                    if (last.isPresent()) {
                        Instant pushed = images.stream().filter(i -> i.digest().equals(last.get().running())).map(ImageRecord::lastPushedAt)
                                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
                        releasedAt = releasedAt == null || (pushed != null && pushed.isBefore(releasedAt)) ? pushed : releasedAt;
                    }
                }
            }
            Map<String, Set<String>> marks = Map.of();
            if (repo.equals(releases.config().repository())) {
                try { // the registry's marks: the ledger hears of a mark only when ECR's event arrives
                    marks = releases.marks();
                } catch (RuntimeException e) {
                    System.err.println("[qm] the release marks could not be read from the registry (" + e.getMessage()
                            + "): the preview shows the marks the ledger knows");
                }
            }
            LifecyclePreview.Needs needs = new LifecyclePreview.Needs(running, rollback, releasedAt);
            List<LifecyclePreview.Line> lines;
            String source;
            if (target.aws) {
                Map<String, LifecyclePreview.EcrAction> ecr = new java.util.HashMap<>();
                new EcrLifecyclePreview(Platform.memo(() -> RegistryRoot.ecr(p)), java.time.Duration.ofSeconds(3))
                        .preview(repo, rules.policyText(), java.time.Duration.ofMinutes(5))
                        .forEach((d, r) -> ecr.put(d, new LifecyclePreview.EcrAction(r.action(), r.rulePriority())));
                lines = LifecyclePreview.fromEcr(rules, images, marks, ecr, needs);
                source = "ECR's lifecycle preview API, cdk.json's rules";
            } else {
                lines = LifecyclePreview.preview(rules, images, marks, needs, Instant.now());
                source = "evaluated locally by ECR's documented semantics";
            }
            boolean hurts = lines.stream().anyMatch(LifecyclePreview.Line::hurts);
            if (target.json()) {
                out.println(EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("repository", repo, "lines", lines)));
                return hurts ? 1 : 0;
            }
            TextTable t = new TextTable("DIGEST", "TAGS", "PUSHED", "ACTION", "RULE", "FLAGS");
            for (LifecyclePreview.Line l : lines) {
                t.row(TextTable.shortDigest(l.digest()), String.join(",", new java.util.TreeSet<>(l.tags())), l.pushedAt(),
                        (l.hurts() ? "!! " : "") + l.action(), l.rule(), l.flags().isEmpty() ? "-" : l.flags().toString());
            }
            out.println(repo + " (" + source + "): " + lines.size() + " images; " + lines.stream().filter(l -> l.action().equals("EXPIRE")).count()
                    + " would expire" + (hurts ? "; lines marked !! would hurt" : ""));
            t.print(out, "  ");
            return hurts ? 1 : 0;
        }
    }
}
