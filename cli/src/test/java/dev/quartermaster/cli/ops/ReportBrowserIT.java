package dev.quartermaster.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.Host;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseStore;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.replication.Replica;
import dev.quartermaster.replication.ReplicaState;
import dev.quartermaster.replication.ReplicaStore;
import dev.quartermaster.replication.ReplicationRoot;
import dev.quartermaster.testkit.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm report in a real browser: records of 60 days on the local stores, the page written, then
 * Debian's headless Chromium renders it. The test reads the page's text from Chromium's DOM, finds
 * each chart's box (a copy of the page with a probe script that writes the boxes into the DOM; the
 * report itself has no script) and checks the screenshot is not blank there. Fails, never skips,
 * without Chromium: bin/setup-local installs it.
 */
class ReportBrowserIT {
    static final String REPO = "wordpress";
    static final int WIDTH = 1280;
    static final List<Host> HOSTS =
            List.of(
                    new Host("web-1", "qm:host", "web-1", EnumSet.of(Host.Role.APP)),
                    new Host(
                            "web-2",
                            "qm:host",
                            "web-2",
                            EnumSet.of(Host.Role.APP, Host.Role.DATABASE)));
    static final String HOSTILE = "<script>alert('owned')</script> & \"quotes\"";

    @TempDir Path dir;

    @Test
    void report_rendersInChromium_withTheEvidenceText_andEveryChartDrawn() throws Exception {
        Path page = dir.resolve("evidence.html");
        Instant now = Instant.now();
        Instant since = now.minus(Duration.ofDays(60));
        try (LocalEnvironment local = new LocalEnvironment(dir.resolve("state"), true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            records(p, now);
            ReleaseConfig release =
                    new ReleaseConfig(REPO, REPO, "registry/" + REPO, "Release", "Check", HOSTS);
            ReportPage.write(
                    ReportPage.Inputs.of(
                            "the test's local state", p, release, List.of(REPO), "wordpress"),
                    since,
                    now,
                    page);
        }
        String html = Files.readString(page);
        assertThat(html)
                .as("self-contained: no script, no external reference")
                .doesNotContain(
                        "<script", "http://", "https://", "src=", "<link", "url(", "@import");
        assertThat(html).contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;");
        for (String chart : ReportPage.CHARTS) {
            assertThat(html).contains("<svg data-chart=\"" + chart + "\"");
        }

        HeadlessChromium chromium =
                HeadlessChromium.require(Files.createDirectories(dir.resolve("chromium")));
        Path probe = dir.resolve("probe.html");
        Files.writeString(probe, html.replace("</body>", PROBE + "</body>"));
        String dom = chromium.dumpDom(probe, WIDTH, 1000);
        Matcher boxes =
                Pattern.compile("<pre id=\"qm-boxes\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(boxes.find())
                .as("the probe ran and wrote the charts' boxes: " + dom.length() + " chars of DOM")
                .isTrue();
        JsonNode layout = EventParser.JSON.readTree(boxes.group(1));
        String text =
                dom.replaceAll("<[^>]+>", " ")
                        .replaceAll("\\s+", " ")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&");

        assertThat(text)
                .contains(
                        "Quartermaster evidence",
                        "Backups of wordpress",
                        "10 verified of 11 backup(s)",
                        "3 restore drill(s) passed of 4",
                        "Releases of wordpress per host",
                        "Image verdicts and signatures",
                        "The image archive",
                        "Replicas",
                        "Overrides and their reasons",
                        "sha256" + "0".repeat(4),
                        "rows differ",
                        "yes: CVE fix cannot wait",
                        "the scan's findings are in unused code",
                        "ROLLED_BACK",
                        "MISMATCH",
                        "REPLICATION_FAILED",
                        "<script>alert('owned')</script>");
        assertThat(dom)
                .as("the hostile reason is text, not a script element")
                .doesNotContain("<script>alert(");

        int height = layout.path("height").asInt();
        assertThat(height).isBetween(1000, 16000);
        Path png = chromium.screenshot(page, dir.resolve("evidence.png"), WIDTH, height);
        Path kept =
                Files.createDirectories(
                        Path.of(
                                "target",
                                "report-browser")); // the page and what Chromium drew, to look at
        Files.copy(
                page,
                kept.resolve("evidence.html"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                png,
                kept.resolve("evidence.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage shot = ImageIO.read(png.toFile());
        assertThat(shot.getWidth()).isEqualTo(WIDTH);
        assertThat(shot.getHeight()).isEqualTo(height);
        for (String chart : ReportPage.CHARTS) {
            JsonNode box = layout.path("charts").path(chart);
            assertThat(box.isMissingNode()).as(chart + " has a box").isFalse();
            int x = box.path("x").asInt();
            int y = box.path("y").asInt();
            int w = box.path("w").asInt();
            int h = box.path("h").asInt();
            assertThat(w).as(chart).isEqualTo(Svg.WIDTH);
            assertThat(h).as(chart).isGreaterThanOrEqualTo(Svg.HEIGHT);
            assertThat(x + w)
                    .as(chart + " inside the screenshot")
                    .isLessThanOrEqualTo(shot.getWidth());
            assertThat(y + h)
                    .as(chart + " inside the screenshot")
                    .isLessThanOrEqualTo(shot.getHeight());
            Drawn drawn = drawn(shot, x, y, w, h);
            assertThat(drawn.colours())
                    .as(chart + ": colours in its box")
                    .isGreaterThanOrEqualTo(5);
            assertThat(drawn.inked()).as(chart + ": share of its box drawn on").isGreaterThan(0.02);
            assertThat(drawn.data())
                    .as(
                            chart
                                    + ": pixels in the data's colours (axes and text are grey, a legend's swatches a few hundred)")
                    .isGreaterThan(1000);
        }
    }

    /**
     * Writes each chart's box (page coordinates) and the page's height into the DOM, for --dump-dom
     * to carry out.
     */
    static final String PROBE =
            "<pre id=\"qm-boxes\"></pre><script>"
                    + "var o={height:Math.ceil(document.documentElement.scrollHeight),charts:{}};"
                    + "document.querySelectorAll('svg[data-chart]').forEach(function(s){var r=s.getBoundingClientRect();"
                    + "o.charts[s.getAttribute('data-chart')]={x:Math.round(r.left+window.scrollX),y:Math.round(r.top+window.scrollY),"
                    + "w:Math.round(r.width),h:Math.round(r.height)};});"
                    + "document.getElementById('qm-boxes').textContent=JSON.stringify(o);</script>";

    record Drawn(int colours, double inked, long data) {}

    /**
     * Distinct colours (to 4 bits a channel) in the box, the share of pixels that are neither white
     * nor the chart's background, and how many are saturated (the series' colours; axes, grid and
     * text are grey or black).
     */
    static Drawn drawn(BufferedImage img, int x, int y, int w, int h) {
        Set<Integer> colours = new HashSet<>();
        long inked = 0;
        long data = 0;
        for (int j = y; j < y + h; j++) {
            for (int i = x; i < x + w; i++) {
                int rgb = img.getRGB(i, j) & 0xffffff;
                colours.add(rgb & 0xf0f0f0);
                if (rgb != 0xffffff && rgb != 0xfbfcfd) {
                    inked++;
                }
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    data++;
                }
            }
        }
        return new Drawn(colours.size(), (double) inked / ((long) w * h), data);
    }

    /**
     * Sixty days of records: backups and drills, releases on two hosts, verdicts and signatures,
     * the archive, replicas, overrides, alerts.
     */
    static void records(Platform p, Instant now) {
        BackupStore backups = BackupRoot.store(p);
        for (int d = 1; d <= 11; d++) {
            Instant at = now.minus(Duration.ofDays(5L * d));
            String id = "backup-" + d;
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.BACKUP,
                            "wordpress",
                            at,
                            id,
                            "backups/wordpress/" + id + ".sql.zst",
                            null));
            BackupRecord r = backups.byCommandId(id).orElseThrow();
            backups.settle(
                    d == 4
                            ? r.failed("mariadb-dump: Lost connection", at.plusSeconds(40))
                            : r.verified(
                                    40_000_000L + d * 1_500_000L,
                                    "sha256" + "0".repeat(4) + d,
                                    12,
                                    100_000 + d * 900,
                                    30_000 + d * 2_000,
                                    at.plusSeconds(60)));
        }
        for (int d = 1; d <= 4; d++) {
            Instant at = now.minus(Duration.ofDays(7L * d + 1));
            String id = "drill-" + d;
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.DRILL,
                            "wordpress",
                            at,
                            id,
                            "backups/wordpress/backup-1.sql.zst",
                            "drills/" + id + ".json"));
            BackupRecord r = backups.byCommandId(id).orElseThrow();
            backups.settle(
                    d == 2
                            ? r.failed("rows differ in wp_posts: 1500 vs 1499", at.plusSeconds(80))
                            : r.passed(12, 101_000, 70_000 + d * 5_000, at.plusSeconds(80)));
        }

        LedgerStore ledger = LedgerRoot.store(p);
        ImageLedger images = new ImageLedger(ledger, a -> {});
        ReplicaStore replicas = ReplicationRoot.store(p);
        Destination dr = new Destination("eu-central-1", "123456789012");
        ImageVerdict[] verdicts = {
            ImageVerdict.VERIFIED,
            ImageVerdict.VERIFIED,
            ImageVerdict.MISMATCH,
            ImageVerdict.VERIFIED,
            ImageVerdict.UNVERIFIABLE
        };
        String[] signatures = {"SIGNED", "SIGNED", "UNSIGNED", "SIGNED", "INVALID"};
        for (int d = 0; d < 20; d++) {
            Instant at = now.minus(Duration.ofDays(3L * d + 1));
            String digest = "sha256:" + String.format("%064x", d + 1);
            String tag = "wp-6." + (d % 7) + "-v" + d;
            images.record(
                    new ImageAction(
                            "push-" + d,
                            at,
                            ImageAction.Kind.PUSH,
                            true,
                            REPO,
                            digest,
                            tag,
                            null,
                            null));
            ledger.recordVerification(
                    REPO,
                    digest,
                    new ImageRecord.Verification(
                            verdicts[d % 5],
                            "6." + (d % 7),
                            "6." + (d % 7) + ".1",
                            "checked",
                            1,
                            1,
                            at.plusSeconds(30)));
            ledger.recordSignature(
                    REPO,
                    digest,
                    new ImageRecord.Signature(
                            signatures[d % 5], null, null, at, at.plusSeconds(20)));
            ledger.recordArchive(
                    REPO,
                    digest,
                    new ImageRecord.Archive(
                            true, 20_000_000L + d * 3_000_000L, 5_000_000L, at.plusSeconds(90)));
            Replica pending =
                    Replica.pending(
                            REPO,
                            digest,
                            dr,
                            at,
                            d == 0
                                    ? now.minus(Duration.ofMinutes(5))
                                    : at.plus(Duration.ofHours(1)));
            replicas.await(pending);
            if (d > 0) {
                replicas.transition(
                        replicas.get(REPO, digest, dr),
                        pending.settled(
                                d % 6 == 0 ? ReplicaState.FAILED : ReplicaState.REPLICATED,
                                d % 6 == 0 ? "IMAGE_NOT_FOUND" : "",
                                at.plusSeconds(300),
                                null));
            }
        }
        String accepted = "sha256:" + String.format("%064x", 3);
        ledger.acceptScan(
                REPO,
                accepted,
                new ImageRecord.ScanAcceptance(
                        ImageRecord.ScanAcceptance.How.OPERATOR,
                        "arn:aws:iam::123456789012:user/alice",
                        "the scan's findings are in unused code",
                        Map.of("CRITICAL", 1),
                        now.minus(Duration.ofDays(6))),
                false);

        ReleaseStore releases = ReleaseRoot.store(p);
        int n = 0;
        for (String host : List.of("web-1", "web-2")) {
            for (int d = 0; d < 6; d++) {
                Instant at = now.minus(Duration.ofDays(9L * d + (host.equals("web-2") ? 2 : 0)));
                String digest = "sha256:" + String.format("%064x", d + 1);
                ReleaseRecord.Kind kind =
                        d == 2 ? ReleaseRecord.Kind.ROLLBACK : ReleaseRecord.Kind.RELEASE;
                String reason = d == 1 ? "CVE fix cannot wait" : d == 4 ? HOSTILE : null;
                ReleaseRecord r =
                        new ReleaseRecord(
                                REPO,
                                host,
                                "rel-" + (n++),
                                kind,
                                ReleaseRecord.Status.RUNNING,
                                REPO,
                                "wp-6." + d + "-v" + d,
                                digest,
                                "6." + d + ".1",
                                "sha256:" + String.format("%064x", d + 2),
                                d % 2 == 0 ? "alice" : "bob",
                                at,
                                "backups/wordpress/backup-1.sql.zst",
                                reason,
                                null,
                                null,
                                null,
                                null,
                                null);
                releases.create(r);
                ReleaseRecord.Status status =
                        d == 3
                                ? ReleaseRecord.Status.ROLLED_BACK
                                : d == 5
                                        ? ReleaseRecord.Status.FAILED
                                        : ReleaseRecord.Status.RELEASED;
                releases.settle(
                        r.settled(
                                status,
                                digest,
                                "6." + d + ".1",
                                status == ReleaseRecord.Status.RELEASED
                                        ? "released"
                                        : "the probe failed",
                                "[]",
                                at.plusSeconds(120)));
            }
        }
        p.alerts()
                .publish(
                        new Alert(
                                "MISMATCH",
                                "MISMATCH: wordpress:wp-6.2-v2",
                                "lies",
                                Map.of("repository", REPO, "tag", "wp-6.2-v2")));
        p.alerts()
                .publish(
                        new Alert(
                                "REPLICATION_FAILED",
                                "REPLICATION_FAILED: wordpress to eu-central-1/123456789012",
                                "failed",
                                Map.of(
                                        "repository",
                                        REPO,
                                        "digest",
                                        "sha256:" + String.format("%064x", 7),
                                        "destination",
                                        dr.key())));
    }
}
