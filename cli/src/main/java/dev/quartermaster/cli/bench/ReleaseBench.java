package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoll;
import dev.quartermaster.release.RollRecord;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * bench release: the local site on real containers (podman-compose), released back and forth
 * between two verified WordPress-like images, then to one whose server never answers. release-s:
 * median seconds from the command to the new version healthy (restore point off: the switch alone;
 * the restore point is a backup, measured by bench backup). rollback-s: median seconds from the
 * failed health check to the previous version proven healthy again (the host's rollback step).
 * release-roll-s-1host / -2hosts: median seconds of a rolling release (batch 1) over one and two
 * local app hosts (web1, web2: a podman-compose project each), from the command to every host
 * switched and proven; release-roll-ratio is their quotient (one host after the other: about 2 is
 * the floor, the fixed part of a roll shows as less).
 */
public final class ReleaseBench {
    private ReleaseBench() {}

    static int run(int runs) throws Exception {
        Path dir = Files.createTempDirectory("qm-bench-release");
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            System.out.println(
                    "pushing two WordPress-like images (3 x 2 MB base, busybox httpd) and one whose server never answers...");
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String a =
                    pusher.push(
                            "wordpress",
                            "a",
                            LocalPodman.wordpressImage("6.4.3", 3, 2 * 1024 * 1024, "a"));
            String b =
                    pusher.push(
                            "wordpress",
                            "b",
                            LocalPodman.wordpressImage("6.5.5", 3, 2 * 1024 * 1024, "b"));
            String broken =
                    pusher.push(
                            "wordpress",
                            "broken",
                            LocalPodman.wordpressImage(
                                    "6.6.1", 3, 2 * 1024 * 1024, "broken", false));
            var ctx = ReleaseContext.local(local, false, quiet);
            ImageLedger ledger =
                    new ImageLedger(LedgerRoot.store(ctx.platform), ctx.platform.alerts());
            for (String[] img :
                    List.of(
                            new String[] {"a", a, "6.4.3"},
                            new String[] {"b", b, "6.5.5"},
                            new String[] {"broken", broken, "6.6.1"})) {
                ledger.record(
                        new ImageAction(
                                "bench-" + img[0],
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                img[1],
                                img[0],
                                null,
                                null));
                LedgerRoot.store(ctx.platform)
                        .recordVerification(
                                "wordpress",
                                img[1],
                                new ImageRecord.Verification(
                                        ImageVerdict.VERIFIED,
                                        img[2],
                                        img[2],
                                        "bench",
                                        0,
                                        0,
                                        Instant.now()));
            }
            LocalSite site = local.site();
            site.start(a);
            site.awaitServed("6.4.3", Duration.ofSeconds(30));
            List<Double> releases = new ArrayList<>();
            List<Double> rollbacks = new ArrayList<>();
            String[] tags = {"b", "a"};
            String[] digests = {
                b, a
            }; // by digest: the bench's tags promise no version a rule covers (a release by tag
            // checks that)
            String[] versions = {"6.5.5", "6.4.3"};
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                ReleaseRecord r =
                        ctx.flow.release(
                                "wordpress@" + digests[i % 2],
                                null,
                                ReleaseRecord.Kind.RELEASE,
                                "bench");
                String served = site.awaitServed(versions[i % 2], Duration.ofSeconds(30));
                double secs = (System.nanoTime() - t0) / 1e9;
                if (r.status() != ReleaseRecord.Status.RELEASED
                        || !served.equals(versions[i % 2])) {
                    System.err.println(
                            "bench release: run "
                                    + (i + 1)
                                    + " ended "
                                    + r.status()
                                    + ", serving "
                                    + served
                                    + ": "
                                    + r.reason());
                    return 1;
                }
                releases.add(secs);
                System.out.printf(
                        "release %d: %s -> %s healthy in %.1f s%n",
                        i + 1, tags[(i + 1) % 2], tags[i % 2], secs);
            }
            for (int i = 0; i < runs; i++) {
                String before = site.served();
                ReleaseRecord r =
                        ctx.flow.release(
                                "wordpress@" + broken, null, ReleaseRecord.Kind.RELEASE, "bench");
                if (r.status() != ReleaseRecord.Status.ROLLED_BACK
                        || !site.served().equals(before)) {
                    System.err.println(
                            "bench release: the broken release ended "
                                    + r.status()
                                    + ", serving "
                                    + site.served());
                    return 1;
                }
                double secs = rollbackSeconds(r.steps());
                rollbacks.add(secs);
                System.out.printf(
                        "broken release %d: health failed after the %d s timeout, rolled back to %s in %.1f s%n",
                        i + 1,
                        Integer.parseInt(site.scriptEnv().get("QM_HEALTH_TIMEOUT")),
                        before,
                        secs);
            }
            double[] roll = new double[2];
            for (int n = 1; n <= 2; n++) {
                Double secs = roll(local, n, runs, digests, versions);
                if (secs == null) {
                    return 1;
                }
                roll[n - 1] = secs;
            }
            System.out.printf(
                    "release-s=%.1f rollback-s=%.1f release-roll-s-1host=%.1f release-roll-s-2hosts=%.1f release-roll-ratio=%.2f%n",
                    median(releases), median(rollbacks), roll[0], roll[1], roll[1] / roll[0]);
            return 0;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    /** The app hosts of the roll benchmark: web1 (and web2), the database on a host of its own. */
    static String hosts(int appHosts) {
        StringBuilder json = new StringBuilder("hosts=[");
        for (int i = 1; i <= appHosts; i++) {
            json.append("{\"name\":\"web")
                    .append(i)
                    .append("\",\"tagKey\":\"qm:host\",\"tagValue\":\"web")
                    .append(i)
                    .append("\",\"roles\":[\"app\"]},");
        }
        return json.append(
                        "{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]}]")
                .toString();
    }

    /**
     * Rolling releases over {@code appHosts} local hosts (one podman-compose project each, batch 1,
     * restore point off as above), back and forth between the two images.
     *
     * @return the median seconds from the command to every host switched and proven, or null when a
     *     roll did not finish
     */
    private static Double roll(
            LocalEnvironment local, int appHosts, int runs, String[] digests, String[] versions)
            throws Exception {
        local.context(List.of(hosts(appHosts)));
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        var ctx = ReleaseContext.local(local, false, quiet);
        List<String> hosts = local.hosts().apps().stream().map(h -> h.name()).toList();
        // every site starts on the first image; a site kept from the 1-host runs keeps what it runs
        local.startMissingSites(digests[1], quiet);
        String app = ctx.service.config().app();
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String version = versions[i % 2];
            long t0 = System.nanoTime();
            ReleaseRoll.Result r =
                    ctx.roll(quiet)
                            .run(
                                    new ReleaseRoll.Request(
                                            app,
                                            "wordpress@" + digests[i % 2],
                                            hosts,
                                            1,
                                            RollRecord.OnFailure.ROLLBACK,
                                            "bench",
                                            null,
                                            null));
            double secs = (System.nanoTime() - t0) / 1e9;
            List<String> served = local.sites().stream().map(LocalSite::served).toList();
            if (r.exitCode() != 0 || served.stream().anyMatch(v -> !v.equals(version))) {
                System.err.println(
                        "bench release: roll "
                                + (i + 1)
                                + " over "
                                + hosts
                                + " ended "
                                + r.roll().status()
                                + ", serving "
                                + served
                                + ": "
                                + r.failure());
                return null;
            }
            times.add(secs);
            System.out.printf(
                    "roll %d over %s: every host on %s, proven, in %.1f s%n",
                    i + 1, String.join(", ", hosts), version, secs);
        }
        return median(times);
    }

    /** The host's rollback step: from the failed proof to the previous digest proven healthy. */
    static double rollbackSeconds(String stepsJson) throws java.io.IOException {
        for (var st : dev.quartermaster.events.EventParser.JSON.readTree(stepsJson)) {
            if (st.path("step").asText().equals("rollback")) {
                return st.path("ms").asLong() / 1000.0;
            }
        }
        throw new IllegalStateException("no rollback step in " + stepsJson);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
