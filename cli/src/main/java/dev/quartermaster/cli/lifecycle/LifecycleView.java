package dev.quartermaster.cli.lifecycle;

import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.lifecycle.EcrLifecyclePreview;
import dev.quartermaster.lifecycle.LifecyclePreview;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseService;

import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lifecycle preview shared by bin/qm lifecycle preview and the demo: evaluate the rules, flag
 * what the releases need, print.
 */
public final class LifecycleView {
    private LifecycleView() {}

    /**
     * The rules' verdict on one repository, where it came from, and what the rules will not do that
     * was probably meant.
     */
    public record Result(
            String repository,
            String source,
            List<LifecyclePreview.Line> lines,
            List<String> findings) {
        public boolean hurts() {
            return lines.stream().anyMatch(LifecyclePreview.Line::hurts);
        }
    }

    /**
     * What the rules would do to {@code repository} (null: the release repository), flagged by what
     * the releases need.
     *
     * @param aws ask ECR's preview API (else evaluate locally by ECR's documented semantics)
     */
    public static Result evaluate(
            LifecycleRules rules,
            Platform p,
            ReleaseService releases,
            String repository,
            boolean aws) {
        String repo =
                Validation.repository(
                        repository != null ? repository : releases.config().repository());
        List<ImageRecord> images = LedgerRoot.store(p).images(repo);
        Set<String> running = new HashSet<>();
        Set<String> rollback = new HashSet<>();
        Instant releasedAt = null;
        if (repo.equals(releases.config().repository())) {
            for (var host : releases.config().hosts()) {
                var last = releases.lastGood(host.name());
                last.map(ReleaseRecord::running).ifPresent(running::add);
                releases.previousGood(host.name())
                        .map(ReleaseRecord::running)
                        .ifPresent(rollback::add);
                if (last.isPresent()) {
                    Instant pushed =
                            images.stream()
                                    .filter(i -> i.digest().equals(last.get().running()))
                                    .map(ImageRecord::lastPushedAt)
                                    .filter(java.util.Objects::nonNull)
                                    .findFirst()
                                    .orElse(null);
                    releasedAt =
                            releasedAt == null || (pushed != null && pushed.isBefore(releasedAt))
                                    ? pushed
                                    : releasedAt;
                }
            }
        }
        Map<String, Set<String>> marks = Map.of();
        if (repo.equals(releases.config().repository())) {
            try { // the registry's marks: the ledger hears of a mark only when ECR's event arrives
                marks = releases.marks();
            } catch (RuntimeException e) {
                System.err.println(
                        "[qm] the release marks could not be read from the registry ("
                                + e.getMessage()
                                + "): the preview shows the marks the ledger knows");
            }
        }
        LifecyclePreview.Needs needs = new LifecyclePreview.Needs(running, rollback, releasedAt);
        List<LifecyclePreview.Line> lines;
        String source;
        if (aws) {
            Map<String, LifecyclePreview.EcrAction> ecr = new java.util.HashMap<>();
            new EcrLifecyclePreview(
                            Platform.memo(() -> RegistryRoot.ecr(p)),
                            java.time.Duration.ofSeconds(3))
                    .preview(repo, rules.policyText(), java.time.Duration.ofMinutes(5))
                    .forEach(
                            (d, r) ->
                                    ecr.put(
                                            d,
                                            new LifecyclePreview.EcrAction(
                                                    r.action(), r.rulePriority())));
            lines = LifecyclePreview.fromEcr(rules, images, marks, ecr, needs);
            source = "ECR's lifecycle preview API, cdk.json's rules";
        } else {
            lines = LifecyclePreview.preview(rules, images, marks, needs, Instant.now());
            source = "evaluated locally by ECR's documented semantics";
        }
        return new Result(
                repo, source, lines, LifecyclePreview.findings(rules, images, marks, Map.of()));
    }

    /** Prints the result as a table (or JSON); 1 when a line hurts, else 0. */
    public static int print(Result r, boolean json, PrintStream out) throws Exception {
        String repo = r.repository();
        List<LifecyclePreview.Line> lines = r.lines();
        String source = r.source();
        boolean hurts = lines.stream().anyMatch(LifecyclePreview.Line::hurts);
        if (json) {
            out.println(
                    EventParser.JSON
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(
                                    Map.of(
                                            "repository",
                                            repo,
                                            "lines",
                                            lines,
                                            "findings",
                                            r.findings())));
            return hurts ? 1 : 0;
        }
        TextTable t = new TextTable("DIGEST", "TAGS", "PUSHED", "ACTION", "RULE", "FLAGS");
        for (LifecyclePreview.Line l : lines) {
            t.row(
                    TextTable.shortDigest(l.digest()),
                    String.join(
                            ",", l.tags().stream().map(LifecycleView::shortTag).sorted().toList()),
                    l.pushedAt(),
                    (l.hurts() ? "!! " : "") + l.action(),
                    l.rule(),
                    l.flags().isEmpty() ? "-" : l.flags().toString());
        }
        out.println(
                repo
                        + " ("
                        + source
                        + "): "
                        + lines.size()
                        + " images; "
                        + lines.stream().filter(l -> l.action().equals("EXPIRE")).count()
                        + " would expire, "
                        + lines.stream().filter(l -> l.action().equals("TRANSITION")).count()
                        + " would move to archive"
                        + (hurts ? "; lines marked !! would hurt" : ""));
        t.print(out, "  ");
        r.findings().forEach(f -> out.println("  note: " + f));
        return hurts ? 1 : 0;
    }

    /** A release mark names its whole digest: shown as its first 12 hex digits. */
    static String shortTag(String tag) {
        return tag.startsWith(LifecycleRules.PROTECT_PREFIX)
                        && tag.length() > LifecycleRules.PROTECT_PREFIX.length() + 12
                ? tag.substring(0, LifecycleRules.PROTECT_PREFIX.length() + 12) + "…"
                : tag;
    }
}
