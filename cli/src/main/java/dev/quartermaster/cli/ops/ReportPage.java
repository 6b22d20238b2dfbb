package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.common.AlertLog;
import dev.quartermaster.contract.Host;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseStore;
import dev.quartermaster.replication.Replica;
import dev.quartermaster.replication.ReplicaStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * bin/qm report: one self-contained HTML page of evidence, built from the records (not from
 * metrics, which expire): the backups (size and duration over time, each verified one with its
 * checksum and row counts, the drills and their results), the releases per host on a timeline (who,
 * forced or not, outcome, rollbacks), image verdicts and signature states per day, the archive's
 * growth, the replicas' states, every override with its reason, and the alert log's kinds. No
 * script, no external asset: the charts are inline SVG, the style is inline CSS; every text that
 * came from outside is escaped.
 */
public final class ReportPage {
    static final Map<String, String> VERDICTS =
            colors(
                    "VERIFIED",
                    "#2e7d32",
                    "MISMATCH",
                    "#c62828",
                    "UNVERIFIABLE",
                    "#ef6c00",
                    "NO_RULE",
                    "#9e9e9e",
                    "FAILED_SCAN",
                    "#6a1b9a");
    static final Map<String, String> SIGNATURES =
            colors(
                    "SIGNED",
                    "#1565c0",
                    "UNSIGNED",
                    "#ef6c00",
                    "INVALID",
                    "#c62828",
                    "PENDING",
                    "#9e9e9e",
                    "FAILED",
                    "#6a1b9a");
    static final Map<String, String> OUTCOMES =
            colors(
                    "RELEASED",
                    "#2e7d32",
                    "ROLLED_BACK",
                    "#ef6c00",
                    "FAILED",
                    "#c62828",
                    "ROLLBACK_FAILED",
                    "#6a1b9a",
                    "REFUSED",
                    "#9e9e9e",
                    "SENT",
                    "#1565c0",
                    "RUNNING",
                    "#90a4ae");
    static final Map<String, String> REPLICAS =
            colors(
                    "REPLICATED",
                    "#2e7d32",
                    "PENDING",
                    "#9e9e9e",
                    "LATE",
                    "#ef6c00",
                    "FAILED",
                    "#c62828");

    /** The charts the page draws, by their {@code data-chart} id. */
    public static final List<String> CHARTS =
            List.of(
                    "backup-size",
                    "backup-duration",
                    "releases",
                    "verdicts",
                    "signatures",
                    "archive",
                    "replicas");

    private ReportPage() {}

    /**
     * Where the records come from (local state or the deployed stack's), and what they are about.
     */
    public record Inputs(
            String origin,
            String database,
            ReleaseConfig release,
            List<String> repositories,
            BackupStore backups,
            ReleaseStore releases,
            LedgerStore ledger,
            ReplicaStore replicas,
            AlertLog alerts) {
        /** The records of {@code p}'s stores (local, or the deployed stack's). */
        public static Inputs of(
                String origin,
                dev.quartermaster.common.Platform p,
                ReleaseConfig release,
                List<String> repositories,
                String database) {
            return new Inputs(
                    origin,
                    database,
                    release,
                    repositories,
                    dev.quartermaster.backup.BackupRoot.store(p),
                    dev.quartermaster.release.ReleaseRoot.store(p),
                    dev.quartermaster.ledger.LedgerRoot.store(p),
                    dev.quartermaster.replication.ReplicationRoot.store(p),
                    p.alertLog().orElse(null));
        }
    }

    public static Path write(Inputs in, Instant since, Instant now, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(out, render(in, since, now), StandardCharsets.UTF_8);
        return out;
    }

    public static String render(Inputs in, Instant since, Instant now) {
        StringBuilder h = new StringBuilder(64 * 1024);
        String period = WHEN.format(since) + " to " + WHEN.format(now);
        h.append(
                        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Quartermaster evidence, ")
                .append(Html.escape(period))
                .append("</title><style>")
                .append(STYLE)
                .append("</style></head><body>");
        h.append("<h1>Quartermaster evidence</h1><p class=\"meta\">From the records of ")
                .append(Html.escape(in.origin()))
                .append(", ")
                .append(Html.escape(period))
                .append(". Written by bin/qm report.</p>");
        backups(h, in, since, now);
        releases(h, in, since, now);
        List<ImageRecord> images = new ArrayList<>();
        in.repositories().forEach(r -> images.addAll(in.ledger().images(r)));
        images(h, images, since, now);
        archive(h, images, since, now);
        replicas(h, in, images);
        overrides(h, in, images, since);
        alerts(h, in, since);
        return h.append("</body></html>").toString();
    }

    private static void backups(StringBuilder h, Inputs in, Instant since, Instant now) {
        List<BackupRecord> backups =
                in.backups().list(BackupRecord.Kind.BACKUP, in.database(), since);
        List<BackupRecord> drills =
                in.backups().list(BackupRecord.Kind.DRILL, in.database(), since);
        List<BackupRecord> verified =
                backups.stream().filter(b -> b.status() == BackupRecord.Status.VERIFIED).toList();
        h.append("<section id=\"backups\"><h2>Backups of ")
                .append(Html.escape(in.database()))
                .append("</h2><p>")
                .append(verified.size())
                .append(" verified of ")
                .append(backups.size())
                .append(" backup(s); ")
                .append(
                        drills.stream()
                                .filter(d -> d.status() == BackupRecord.Status.PASSED)
                                .count())
                .append(" restore drill(s) passed of ")
                .append(drills.size())
                .append(".</p>");
        h.append(
                Svg.timeSeries(
                        "backup-size",
                        "Verified backup size",
                        "MB",
                        List.of(
                                new Svg.Series(
                                        "verified",
                                        "#1565c0",
                                        verified.stream()
                                                .map(
                                                        b ->
                                                                new Svg.Point(
                                                                        b.startedAt(),
                                                                        b.bytes() / 1e6))
                                                .sorted(Comparator.comparing(Svg.Point::at))
                                                .toList(),
                                        true),
                                new Svg.Series(
                                        "failed",
                                        "#c62828",
                                        backups.stream()
                                                .filter(
                                                        b ->
                                                                b.status()
                                                                        == BackupRecord.Status
                                                                                .FAILED)
                                                .map(b -> new Svg.Point(b.startedAt(), 0))
                                                .toList(),
                                        false)),
                        since,
                        now));
        h.append(
                Svg.timeSeries(
                        "backup-duration",
                        "Backup and restore drill duration",
                        "seconds",
                        List.of(
                                new Svg.Series(
                                        "backup",
                                        "#1565c0",
                                        verified.stream()
                                                .map(b -> new Svg.Point(b.startedAt(), seconds(b)))
                                                .sorted(Comparator.comparing(Svg.Point::at))
                                                .toList(),
                                        true),
                                new Svg.Series(
                                        "drill",
                                        "#2e7d32",
                                        drills.stream()
                                                .filter(d -> d.status().terminal())
                                                .map(d -> new Svg.Point(d.startedAt(), seconds(d)))
                                                .sorted(Comparator.comparing(Svg.Point::at))
                                                .toList(),
                                        true)),
                        since,
                        now));
        h.append(
                        "<h3>Each backup</h3><table><tr><th>started</th><th>status</th><th>object</th><th>bytes</th><th>sha256</th><th>tables</th>")
                .append(
                        "<th>rows</th><th>seconds</th><th>verified or failed at</th><th>error</th></tr>");
        for (BackupRecord b : backups) {
            h.append("<tr class=\"")
                    .append(b.status().name().toLowerCase())
                    .append("\">")
                    .append(td(b.startedAt()))
                    .append(td(b.status()))
                    .append(td(b.key()))
                    .append(td(b.bytes()))
                    .append("<td class=\"mono\">")
                    .append(Html.escape(b.sha256() == null ? "" : b.sha256()))
                    .append("</td>")
                    .append(td(b.tables()))
                    .append(td(b.rows()))
                    .append(td(Svg.fmt(seconds(b))))
                    .append(td(b.finishedAt()))
                    .append(td(b.error()))
                    .append("</tr>");
        }
        h.append(
                        "</table><h3>Restore drills</h3><table><tr><th>started</th><th>result</th><th>tables</th><th>rows compared</th><th>seconds</th>")
                .append("<th>evidence</th><th>error</th></tr>");
        for (BackupRecord d : drills) {
            h.append("<tr class=\"")
                    .append(d.status().name().toLowerCase())
                    .append("\">")
                    .append(td(d.startedAt()))
                    .append(td(d.status()))
                    .append(td(d.tables()))
                    .append(td(d.rows()))
                    .append(td(Svg.fmt(seconds(d))))
                    .append(td(d.evidenceKey()))
                    .append(td(d.error()))
                    .append("</tr>");
        }
        h.append("</table></section>");
    }

    private static void releases(StringBuilder h, Inputs in, Instant since, Instant now) {
        List<String> hosts = in.release().hosts().stream().map(Host::name).toList();
        List<ReleaseRecord> all = new ArrayList<>();
        for (String host : hosts) {
            in.releases().list(in.release().app(), host).stream()
                    .filter(
                            r ->
                                    r.kind() != ReleaseRecord.Kind.CHECK
                                            && !r.requestedAt().isBefore(since))
                    .forEach(all::add);
        }
        all.sort(Comparator.comparing(ReleaseRecord::requestedAt));
        List<Svg.Mark> marks =
                all.stream()
                        .map(
                                r ->
                                        new Svg.Mark(
                                                r.host(),
                                                r.finishedAt() == null
                                                        ? r.requestedAt()
                                                        : r.finishedAt(),
                                                OUTCOMES.getOrDefault(r.status().name(), "#90a4ae"),
                                                r.kind() == ReleaseRecord.Kind.ROLLBACK,
                                                r.forced(),
                                                r.kind()
                                                        + " "
                                                        + (r.tag() == null ? r.toDigest() : r.tag())
                                                        + " by "
                                                        + r.requestedBy()
                                                        + ": "
                                                        + r.status()
                                                        + (r.forced()
                                                                ? " (forced: "
                                                                        + r.overrideReason()
                                                                        + ")"
                                                                : "")))
                        .toList();
        Map<String, String> legend =
                new LinkedHashMap<>(
                        colors(
                                "released",
                                OUTCOMES.get("RELEASED"),
                                "rolled back",
                                OUTCOMES.get("ROLLED_BACK"),
                                "failed",
                                OUTCOMES.get("FAILED"),
                                "refused",
                                OUTCOMES.get("REFUSED")));
        h.append("<section id=\"releases\"><h2>Releases of ")
                .append(Html.escape(in.release().app()))
                .append(" per host</h2><p>")
                .append(all.size())
                .append(
                        " release(s) and rollback(s); a diamond is a rollback, a black ring a forced release.</p>");
        h.append(Svg.timeline("releases", "Releases per host", hosts, marks, legend, since, now));
        h.append(
                        "<table><tr><th>requested</th><th>host</th><th>kind</th><th>tag</th><th>to</th><th>from</th><th>who</th><th>forced</th>")
                .append("<th>outcome</th><th>running after</th><th>restore point</th></tr>");
        for (ReleaseRecord r : all) {
            h.append("<tr class=\"")
                    .append(r.status().name().toLowerCase())
                    .append("\">")
                    .append(td(r.requestedAt()))
                    .append(td(r.host()))
                    .append(td(r.kind()))
                    .append(td(r.tag()))
                    .append(mono(r.toDigest()))
                    .append(mono(r.fromDigest()))
                    .append(td(r.requestedBy()))
                    .append(td(r.forced() ? "yes: " + r.overrideReason() : "no"))
                    .append(td(r.status() + (r.reason() == null ? "" : ": " + r.reason())))
                    .append(mono(r.running()))
                    .append(td(r.restorePoint()))
                    .append("</tr>");
        }
        h.append("</table></section>");
    }

    private static void images(
            StringBuilder h, List<ImageRecord> images, Instant since, Instant now) {
        List<Map.Entry<Instant, String>> verdicts = new ArrayList<>();
        List<Map.Entry<Instant, String>> signatures = new ArrayList<>();
        for (ImageRecord i : images) {
            if (i.verification() != null
                    && i.verification().at() != null
                    && !i.verification().at().isBefore(since)
                    && i.verdict() != null) {
                verdicts.add(Map.entry(i.verification().at(), i.verdict().name()));
            }
            if (i.signature() != null
                    && i.signature().at() != null
                    && !i.signature().at().isBefore(since)) {
                signatures.add(Map.entry(i.signature().at(), i.signature().state()));
            }
        }
        h.append("<section id=\"images\"><h2>Image verdicts and signatures</h2><p>")
                .append(verdicts.size())
                .append(" digest(s) checked, ")
                .append(
                        verdicts.stream()
                                .filter(v -> !v.getValue().equals(ImageVerdict.VERIFIED.name()))
                                .count())
                .append(" not VERIFIED; ")
                .append(signatures.size())
                .append(
                        " signature state(s) recorded. Each digest counts on the day of its latest check.</p>");
        h.append(
                Svg.stackedDays(
                        "verdicts",
                        "Verdicts per day",
                        VERDICTS,
                        Svg.perDay(verdicts),
                        since,
                        now));
        h.append(
                Svg.stackedDays(
                        "signatures",
                        "Signature states per day",
                        SIGNATURES,
                        Svg.perDay(signatures),
                        since,
                        now));
        h.append("</section>");
    }

    private static void archive(
            StringBuilder h, List<ImageRecord> images, Instant since, Instant now) {
        List<ImageRecord> archived =
                images.stream()
                        .filter(
                                i ->
                                        i.archive() != null
                                                && i.archive().complete()
                                                && i.archive().at() != null)
                        .sorted(Comparator.comparing(i -> i.archive().at()))
                        .toList();
        List<Svg.Point> growth = new ArrayList<>();
        double total = 0;
        for (ImageRecord i : archived) {
            total += i.archive().bytesStored() / 1e6;
            if (!i.archive().at().isBefore(since)) {
                if (growth.isEmpty() && total > i.archive().bytesStored() / 1e6) {
                    growth.add(
                            new Svg.Point(
                                    since,
                                    total
                                            - i.archive().bytesStored()
                                                    / 1e6)); // what was archived before the period
                }
                growth.add(new Svg.Point(i.archive().at(), total));
            }
        }
        h.append("<section id=\"archive\"><h2>The image archive</h2><p>")
                .append(archived.size())
                .append(" image(s) archived complete, ")
                .append(Svg.fmt(total))
                .append(" MB stored (shared layers once).</p>");
        h.append(
                Svg.timeSeries(
                        "archive",
                        "Archive size (stored, cumulative)",
                        "MB",
                        List.of(new Svg.Series("stored", "#00838f", growth, true)),
                        since,
                        now));
        h.append("</section>");
    }

    private static void replicas(StringBuilder h, Inputs in, List<ImageRecord> images) {
        Map<String, Map<String, Integer>> byDestination = new TreeMap<>();
        if (in.replicas() != null) {
            for (ImageRecord i : images) {
                if (i.deleted()) {
                    continue;
                }
                for (Replica r : in.replicas().replicas(i.repository(), i.digest())) {
                    String state =
                            r.label().startsWith("PENDING (late") ? "LATE" : r.state().name();
                    byDestination
                            .computeIfAbsent(r.destination().key(), k -> new LinkedHashMap<>())
                            .merge(state, 1, Integer::sum);
                }
            }
        }
        h.append(
                "<section id=\"replicas\"><h2>Replicas</h2><p>Each image in each replication destination, as proven by digest.</p>");
        h.append(Svg.stackedRows("replicas", "Replicas per destination", REPLICAS, byDestination));
        h.append("</section>");
    }

    private static void overrides(
            StringBuilder h, Inputs in, List<ImageRecord> images, Instant since) {
        h.append(
                "<section id=\"overrides\"><h2>Overrides and their reasons</h2><table><tr><th>when</th><th>what</th><th>who</th><th>reason</th></tr>");
        int n = 0;
        for (Host host : in.release().hosts()) {
            for (ReleaseRecord r : in.releases().list(in.release().app(), host.name())) {
                if (r.forced() && !r.requestedAt().isBefore(since)) {
                    h.append("<tr>")
                            .append(td(r.requestedAt()))
                            .append(
                                    td(
                                            "release --force of "
                                                    + r.repository()
                                                    + (r.tag() == null
                                                            ? "@" + r.toDigest()
                                                            : ":" + r.tag())
                                                    + " on "
                                                    + r.host()
                                                    + " ("
                                                    + r.status()
                                                    + ")"))
                            .append(td(r.requestedBy()))
                            .append(td(r.overrideReason()))
                            .append("</tr>");
                    n++;
                }
            }
        }
        for (ImageRecord i : images) {
            ImageRecord.ScanAcceptance a = i.scanAcceptance();
            if (a != null && a.at() != null && !a.at().isBefore(since)) {
                h.append("<tr>")
                        .append(td(a.at()))
                        .append(
                                td(
                                        "scan accepted ("
                                                + a.how()
                                                + ") on "
                                                + i.repository()
                                                + "@"
                                                + i.digest()
                                                + " "
                                                + a.counts()))
                        .append(td(a.by()))
                        .append(td(a.reason()))
                        .append("</tr>");
                n++;
            }
        }
        h.append("</table><p>").append(n).append(" override(s) in this period.</p></section>");
    }

    private static void alerts(StringBuilder h, Inputs in, Instant since) {
        h.append("<section id=\"alerts\"><h2>Alerts</h2>");
        if (in.alerts() == null) {
            h.append("<p>No alert log (deployed before it existed).</p></section>");
            return;
        }
        Map<String, long[]> byKind = new TreeMap<>();
        Map<String, Instant> last = new TreeMap<>();
        for (AlertLog.Window w : in.alerts().since(since, 5000)) {
            long[] c = byKind.computeIfAbsent(w.key().kind(), k -> new long[2]);
            c[0]++;
            c[1] += w.count();
            last.merge(w.key().kind(), w.lastAt(), (a, b) -> a.isAfter(b) ? a : b);
        }
        h.append("<table><tr><th>kind</th><th>subjects</th><th>occurrences</th><th>last</th></tr>");
        byKind.forEach(
                (k, c) ->
                        h.append("<tr>")
                                .append(td(k))
                                .append(td(c[0]))
                                .append(td(c[1]))
                                .append(td(last.get(k)))
                                .append("</tr>"));
        h.append("</table></section>");
    }

    private static double seconds(BackupRecord b) {
        if (b.durationMs() > 0) {
            return b.durationMs() / 1000.0;
        }
        return b.finishedAt() == null
                ? 0
                : Duration.between(b.startedAt(), b.finishedAt()).toMillis() / 1000.0;
    }

    private static final java.time.format.DateTimeFormatter WHEN =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
                    .withZone(java.time.ZoneOffset.UTC);

    /** A cell; an instant to the second, in UTC. */
    private static String td(Object v) {
        return "<td>" + Html.escape(v instanceof Instant t ? WHEN.format(t) : v) + "</td>";
    }

    private static String mono(String digest) {
        return "<td class=\"mono\">"
                + Html.escape(
                        digest == null
                                ? ""
                                : digest.length() > 19 ? digest.substring(0, 19) + "…" : digest)
                + "</td>";
    }

    private static Map<String, String> colors(String... nameThenColor) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenColor.length; i += 2) {
            m.put(nameThenColor[i], nameThenColor[i + 1]);
        }
        return m;
    }

    private static final String STYLE =
            "body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#1f2933;max-width:1100px}"
                    + "h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #d9dde3;padding-bottom:4px}.meta{color:#52606d}"
                    + "svg{display:block;margin:12px 0}table{border-collapse:collapse;font-size:12px;margin:8px 0}"
                    + "th,td{border:1px solid #d9dde3;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f1f3f5}"
                    + ".mono{font-family:DejaVu Sans Mono,monospace}tr.failed td,tr.rollback_failed td{background:#fdecea}"
                    + "tr.rolled_back td{background:#fff4e5}";
}
