package dev.quartermaster.cli.demo;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.cli.bench.VerifyBench;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.lifecycle.LifecycleView;
import dev.quartermaster.cli.local.FileAlerts;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalAgent;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.cli.local.LocalReplication;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.cli.ops.StatusView;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.cli.replication.Backfill;
import dev.quartermaster.common.Alert;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.testkit.OciImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The seed lab, played for real on this machine: local DynamoDB, S3, OCI registry and MariaDB; the
 * real handlers fed the events AWS would send; the real host scripts run by the local agent.
 */
@Command(
        name = "demo",
        description =
                "Run the whole pipeline locally: push, verify, catch a lying tag, back up, restore.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--keep", description = "keep the demo's state folder (default: deleted)")
    boolean keep;

    private final PrintStream out = System.out;
    private RequestStreamHandler archive;
    private final List<String> failures = new ArrayList<>();
    private long t0;
    private final List<String> archived = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("qm-demo");
        out.println(
                "Quartermaster demo: the seed lab on this machine, no AWS account needed (state: "
                        + dir
                        + ")");
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            // the local stand-in for ECR managed signing signs each push; a second local registry
            // plays the DR region
            local.context(java.util.List.of("signing=managed", "replication=" + DR_REPLICATION));
            step(0, "starting local backends (DynamoDB Local, OCI registry, S3Mock, MariaDB)");
            CompletableFuture<Void> slow =
                    CompletableFuture.allOf(
                            CompletableFuture.runAsync(local::s3),
                            CompletableFuture.runAsync(local::mariaDb));
            local.dynamo();
            local.registry();
            progress(slow, "waiting for S3Mock and MariaDB");
            slow.join();
            LocalServices ls = LocalServices.create(local, null, null, true, true);
            FileAlerts alerts = ls.alerts;
            var services = ls.platform();
            RequestStreamHandler ledger = FunctionCatalog.create("image-action", ls.wiring);
            RequestStreamHandler verify = FunctionCatalog.create("image-verify", ls.wiring);
            archive = FunctionCatalog.create("image-archive", ls.wiring);
            replication = FunctionCatalog.create("image-replication", ls.wiring);
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            signer = local.signing();
            registryReader =
                    new dev.quartermaster.registry.RegistryClient(
                            local.registry().url(),
                            dev.quartermaster.registry.RegistryAuth.anonymous());
            registryWriter =
                    new dev.quartermaster.registry.RegistryWriter(
                            local.registry().url(),
                            dev.quartermaster.registry.RegistryAuth.anonymous());

            step(
                    1,
                    "building and pushing wordpress:wp-6.4-v1 (6.4.3) and wordpress:wp-6.5-v2 (6.5.5), each signed on push (local ECR managed signing)");
            String d1 = push(pusher, ledger, verify, "wp-6.4-v1", "6.4.3");
            String d2 = push(pusher, ledger, verify, "wp-6.5-v2", "6.5.5");

            step(2, "the ledger");
            printLedger(LedgerRoot.store(services).images("wordpress"));
            expect(verdict(services, d1), "VERIFIED", "wp-6.4-v1 verdict");
            expect(verdict(services, d2), "VERIFIED", "wp-6.5-v2 verdict");
            expect(signature(services, d1), "SIGNED", "wp-6.4-v1 signature");

            step(3, "pushing wordpress:wp-6.4-v3, a tag that lies (it holds 6.5.5)");
            String d3 = push(pusher, ledger, verify, "wp-6.4-v3", "6.5.5");
            expect(verdict(services, d3), "MISMATCH", "wp-6.4-v3 verdict");
            Optional<Alert> mismatch =
                    alerts.seen().stream().filter(a -> a.kind().equals("MISMATCH")).findFirst();
            out.println(
                    "  ALERT "
                            + mismatch.map(a -> a.kind() + ": " + a.subject()).orElse("(none!)"));
            if (mismatch.isEmpty()) {
                failures.add("no MISMATCH alert for wp-6.4-v3");
            }
            out.println(
                    "  pushing wordpress:wp-6.5-v9: 6.5.5 as promised, but pushed around the signing pipeline (no signature)");
            String d9 = push(pusher, ledger, verify, "wp-6.5-v9", "6.5.5", false);
            expect(verdict(services, d9), "VERIFIED", "wp-6.5-v9 verdict");
            expect(signature(services, d9), "UNSIGNED", "wp-6.5-v9 signature");
            Optional<Alert> unsignedAlert =
                    alerts.seen().stream()
                            .filter(a -> a.kind().equals("SIGNATURE_UNSIGNED"))
                            .findFirst();
            out.println(
                    "  ALERT "
                            + unsignedAlert
                                    .map(a -> a.kind() + ": " + a.subject())
                                    .orElse("(none!)"));
            if (unsignedAlert.isEmpty()) {
                failures.add("no SIGNATURE_UNSIGNED alert for wp-6.5-v9");
            }
            printLedger(LedgerRoot.store(services).images("wordpress"));

            step(
                    4,
                    "the archive: every push copied to S3 byte-exact, shared layers once; wp-6.4-v1 deleted from the registry, then restored");
            archived.forEach(out::println);
            archiveRoundTrip(local, services, d1);

            drReplica(local, services, alerts, d1, d2);

            step(
                    5,
                    "seeding a WordPress-like database, then the scheduled backup through the SSM document's script");
            String user = System.getProperty("user.name", "you");
            String title = "Hello from " + user + ", " + LocalDate.now();
            local.mariaDb().seedWordPress(LocalEnvironment.DATABASE, title, 2000, 1500);
            out.println(
                    "  seeded database wordpress: first post \""
                            + title
                            + "\", "
                            + local.mariaDb()
                                    .sql(LocalEnvironment.DATABASE, "SELECT COUNT(*) FROM wp_posts")
                            + " posts");
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            invoke(
                    FunctionCatalog.create("backup-start", ls.wiring),
                    "backup-start",
                    LocalInvoke.scheduledEvent(now));
            for (LocalAgent.Finished f : ls.agent.drain()) {
                if (!f.run().ok()) {
                    out.println(f.run().output().strip().indent(4));
                }
                invoke(
                        FunctionCatalog.create("backup-status", ls.wiring),
                        "backup-status",
                        LocalAgent.statusEvent(f).getBytes(StandardCharsets.UTF_8));
            }
            Optional<BackupRecord> backup =
                    dev.quartermaster.backup.BackupRoot.store(services)
                            .latestVerified(LocalEnvironment.DATABASE);
            if (backup.isEmpty()) {
                failures.add("the backup was not verified");
            } else {
                BackupRecord b = backup.get();
                out.printf(
                        "  backup VERIFIED: s3://%s/%s%n  %,d bytes, sha256 %s..., %d tables, %,d rows%n",
                        LocalEnvironment.BUCKET,
                        b.key(),
                        b.bytes(),
                        b.sha256().substring(0, 12),
                        b.tables(),
                        b.rows());

                step(6, "dropping the database and restoring it from the backup");
                local.mariaDb().sql(null, "DROP DATABASE wordpress");
                out.println(
                        "  database dropped: "
                                + local.mariaDb()
                                        .sql(null, "SHOW DATABASES LIKE 'wordpress'")
                                        .isEmpty());
                long r0 = System.nanoTime();
                var restore =
                        local.hostScripts()
                                .run(
                                        "backup-restore.sh",
                                        java.util.Map.of(
                                                "QM_BUCKET",
                                                LocalEnvironment.BUCKET,
                                                "QM_KEY",
                                                b.key(),
                                                "QM_DATABASE",
                                                LocalEnvironment.DATABASE));
                if (!restore.ok()) {
                    failures.add("restore failed: " + restore.output());
                } else {
                    String back =
                            local.mariaDb()
                                    .sql(
                                            LocalEnvironment.DATABASE,
                                            "SELECT post_title FROM wp_posts WHERE ID = 1");
                    out.printf(
                            "  restored in %.1f s; first post: \"%s\"%n",
                            (System.nanoTime() - r0) / 1e9, back);
                    expect(back, title, "restored post title");
                }
            }
            step(
                    7,
                    "the release switch: the site flips from wp-6.4-v1 to wp-6.5-v2 and back; the lying tag is refused; what runs is protected from lifecycle rules");
            releaseSwitch(local);
            step(
                    8,
                    "a rolling release over two app hosts, web1 and web2: web2's health check answers 500, so web2 rolls itself back, web1 is returned, both end on wp-6.4-v1");
            rollOverTwoHosts(local);
            step(
                    9,
                    "a release with an afterSwitch hook, then a schema migration: the plain rollback is refused, rollback --with-database returns the image and the schema");
            schemaAwareRollback(local);
            step(
                    10,
                    "bin/qm status of the demo's state (exit 1: the lying tag needs attention), its alerts, and bin/qm report");
            var status =
                    StatusView.local(
                            local,
                            LocalEnvironment.DATABASE,
                            dev.quartermaster.contract.Setting.MAX_BACKUP_AGE_HOURS.intDefault());
            int rc = StatusView.print(status, false, false, out);
            expect(
                    Integer.toString(rc),
                    "1",
                    "bin/qm status's exit status with a MISMATCH in the last 7 days");
            expect(
                    Boolean.toString(
                            status.problems().stream()
                                    .anyMatch(
                                            p ->
                                                    p.contains("MISMATCH")
                                                            && p.contains("wp-6.4-v3"))),
                    "true",
                    "bin/qm status names the lying tag");
            expect(
                    String.valueOf(status.backups().get("latestVerified")).startsWith("backups/")
                            ? "ok"
                            : "none",
                    "ok",
                    "bin/qm status shows the verified backup");
            for (String kind :
                    List.of(
                            "MISMATCH",
                            "SIGNATURE_UNSIGNED",
                            "REPLICATION_FAILED")) { // read back from the alert log
                expect(
                        Boolean.toString(
                                status.alerts().stream().anyMatch(a -> a.contains(" " + kind))),
                        "true",
                        "bin/qm status lists the " + kind + " alert");
            }
            Path report =
                    dev.quartermaster.cli.ops.ReportPage.write(
                            dev.quartermaster.cli.ops.ReportPage.Inputs.of(
                                    "the demo's local state",
                                    services,
                                    ReleaseContext.reader(local, services).config(),
                                    local.managedRepositories(),
                                    LocalEnvironment.DATABASE),
                            Instant.now().minus(java.time.Duration.ofDays(1)),
                            Instant.now(),
                            LocalEnvironment.home().resolve(".qm").resolve("demo-report.html"));
            out.println(
                    "  report (bin/qm report --out FILE.html): "
                            + report
                            + " ("
                            + Files.size(report) / 1024
                            + " KiB, "
                            + dev.quartermaster.cli.ops.ReportPage.CHARTS.size()
                            + " inline SVG charts)");
            step(11, "stopping every local backend");
        } finally {
            if (!keep) {
                VerifyBench.deleteTree(dir);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (failures.isEmpty()) {
            out.printf("DEMO OK in %.1f s: every check held.%n", secs);
            return 0;
        }
        out.printf("DEMO FAILED in %.1f s:%n", secs);
        failures.forEach(f -> out.println("  - " + f));
        return 1;
    }

    private dev.quartermaster.cli.local.LocalSigning signer;
    private dev.quartermaster.registry.RegistryClient registryReader;
    private dev.quartermaster.registry.RegistryWriter registryWriter;

    private static String signature(dev.quartermaster.common.Platform services, String digest) {
        return LedgerRoot.store(services)
                .image("wordpress", digest)
                .map(i -> i.signature() == null ? "none" : i.signature().state())
                .orElse("absent");
    }

    private String push(
            OciImages.Pusher pusher,
            RequestStreamHandler ledger,
            RequestStreamHandler verify,
            String tag,
            String version)
            throws Exception {
        return push(pusher, ledger, verify, tag, version, true);
    }

    /**
     * @param signed whether the push goes through the (local) signing pipeline, as ECR's managed
     *     signing would sign it
     */
    private String push(
            OciImages.Pusher pusher,
            RequestStreamHandler ledger,
            RequestStreamHandler verify,
            String tag,
            String version,
            boolean signed)
            throws Exception {
        // runnable (busybox httpd serves the site from /var/www/html, a volume as in the official
        // image); each build carries
        // its tag in a label, so every push is its own digest, as rebuilt images are
        OciImages.Image image =
                dev.quartermaster.testkit.LocalPodman.wordpressImage(
                        version, 3, 2 * 1024 * 1024, tag);
        String digest = pusher.push("wordpress", tag, image);
        if (signed) { // ECR signs on push, before image-verify reads the image
            signer.sign(registryReader, registryWriter, "wordpress", digest);
        }
        byte[] event = pushEvent(tag, digest);
        invoke(ledger, "image-action", event);
        JsonNode v = invoke(verify, "image-verify", event);
        JsonNode a = invoke(archive, "image-archive", event);
        invoke(replication, "image-replication", event); // awaited in the DR region from now on
        archived.add(
                String.format(
                        "  archived %-10s %s  stored %5.1f MB, already in the archive %5.1f MB",
                        tag,
                        digest.substring(7, 19),
                        a.path("details").path("bytesStored").asLong() / 1e6,
                        a.path("details").path("bytesDeduplicated").asLong() / 1e6));
        out.printf(
                "  pushed %-10s %s  %5.1f MB  verdict %-9s found %-6s read %,d of %,d bytes%n",
                tag,
                digest.substring(7, 19),
                image.compressedSize() / 1e6,
                v.path("details").path("verdict").asText(),
                v.path("details").path("found").asText(),
                v.path("details").path("bytesFetched").asLong(),
                v.path("details").path("imageBytes").asLong());
        out.println(
                "           signature "
                        + v.path("details").path("signature").asText("-")
                        + (v.path("details").has("signedBy")
                                ? " by " + v.path("details").path("signedBy").asText()
                                : "")
                        + (v.path("details").has("signatureReason")
                                ? " (" + v.path("details").path("signatureReason").asText() + ")"
                                : ""));
        return digest;
    }

    static final String DR_REPLICATION = "[{\"region\":\"eu-central-1\"}]";
    private RequestStreamHandler replication;

    /**
     * The DR replica: ECR's replication played by a second local registry. wp-6.4-v1 arrives and is
     * proven by digest; wp-6.5-v2's copy breaks on the way (FAILED, alerted); the backfill then
     * copies everything the replica lacks.
     */
    private void drReplica(
            LocalEnvironment local,
            dev.quartermaster.common.Platform services,
            FileAlerts alerts,
            String d1,
            String d2)
            throws Exception {
        out.println(
                "  the DR replica (eu-central-1, a second local registry): every push was awaited there (PENDING)");
        var dr = local.destinations().get(0);
        LocalReplication replicator = new LocalReplication(local);
        invoke(
                replication,
                "image-replication",
                replicator.replicate("wordpress", d1, "wp-6.4-v1", dr, false));
        if (replicator.lastError() != null) {
            out.println("  the copy of wp-6.4-v1 failed: " + replicator.lastError());
        }
        invoke(
                replication,
                "image-replication",
                replicator.replicate("wordpress", d2, "wp-6.5-v2", dr, true));
        var replicas = dev.quartermaster.replication.ReplicationRoot.store(services);
        String s1 =
                replicas.get("wordpress", d1, dr)
                        .map(dev.quartermaster.replication.Replica::label)
                        .orElse("-");
        String s2 =
                replicas.get("wordpress", d2, dr)
                        .map(dev.quartermaster.replication.Replica::label)
                        .orElse("-");
        out.println(
                "  wp-6.4-v1 replicated by digest: "
                        + s1
                        + "; wp-6.5-v2's copy broke on the way: "
                        + s2);
        expect(s1, "REPLICATED", "wp-6.4-v1 replica");
        expect(s2, "FAILED", "wp-6.5-v2 replica");
        Optional<Alert> failed =
                alerts.seen().stream()
                        .filter(a -> a.kind().equals("REPLICATION_FAILED"))
                        .findFirst();
        out.println("  ALERT " + failed.map(a -> a.kind() + ": " + a.subject()).orElse("(none!)"));
        if (failed.isEmpty()) {
            failures.add("no REPLICATION_FAILED alert for wp-6.5-v2");
        }
        out.println(
                "  bin/qm replicate backfill --to eu-central-1: what the replica lacks, copied by digest");
        var source =
                new dev.quartermaster.registry.RegistryClient(
                        local.registry().url(),
                        dev.quartermaster.registry.RegistryAuth.anonymous());
        var lines = new java.io.ByteArrayOutputStream();
        int rc =
                Backfill.run(
                        new dev.quartermaster.archive.RegistryImageLister(source),
                        source,
                        new dev.quartermaster.registry.RegistryWriter(
                                replicator.url(dr),
                                dev.quartermaster.registry.RegistryAuth.anonymous()),
                        dr,
                        List.of("wordpress"),
                        services,
                        new PrintStream(lines, true, StandardCharsets.UTF_8));
        lines.toString(StandardCharsets.UTF_8).lines().forEach(l -> out.println("  " + l.strip()));
        String after =
                replicas.get("wordpress", d2, dr)
                        .map(dev.quartermaster.replication.Replica::label)
                        .orElse("-");
        out.println("  wp-6.5-v2 in the replica now: " + after);
        expect(after, "REPLICATED", "wp-6.5-v2 replica after the backfill");
        if (rc != 0) {
            failures.add("the backfill failed (exit " + rc + ")");
        }
    }

    /**
     * Starts the local site on wp-6.4-v1, releases wp-6.5-v2, rolls back, and tries the lying tag.
     */
    private void releaseSwitch(LocalEnvironment local) throws Exception {
        LocalSite site = local.site();
        var ctx = ReleaseContext.local(local, true, out);
        var first = ctx.service.plan("wordpress:wp-6.4-v1", null);
        site.start(first.digest());
        out.println(
                "  the site runs wp-6.4-v1 (podman-compose on "
                        + site.healthUrl()
                        + "): serves "
                        + site.awaitServed("6.4.3", java.time.Duration.ofSeconds(20)));
        var flip =
                ctx.flow.release(
                        "wordpress:wp-6.5-v2",
                        null,
                        dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                        "demo");
        String served = site.served();
        out.println("  the site serves: " + served);
        expect(flip.status().name(), "RELEASED", "release of wp-6.5-v2");
        expect(served, "6.5.5", "version served after the release");
        String back =
                ctx.service
                        .previousGood()
                        .map(dev.quartermaster.release.ReleaseRecord::running)
                        .orElse(first.digest());
        var rollback =
                ctx.flow.release(
                        "wordpress@" + back,
                        null,
                        dev.quartermaster.release.ReleaseRecord.Kind.ROLLBACK,
                        "demo");
        served = site.served();
        out.println("  the site serves: " + served);
        expect(rollback.status().name(), "RELEASED", "rollback to wp-6.4-v1");
        expect(served, "6.4.3", "version served after the rollback");
        try {
            ctx.flow.release(
                    "wordpress:wp-6.4-v3",
                    null,
                    dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                    "demo");
            failures.add("the lying tag wp-6.4-v3 was released");
        } catch (dev.quartermaster.release.ReleaseService.Refused e) {
            out.println("  " + e.getMessage());
            out.println("  the site still serves: " + site.served());
        }
        try {
            ctx.flow.release(
                    "wordpress:wp-6.5-v9",
                    null,
                    dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                    "demo");
            failures.add("the unsigned wp-6.5-v9 was released");
        } catch (dev.quartermaster.release.ReleaseService.Refused e) {
            out.println("  " + e.getMessage());
            if (!e.getMessage().contains("needs a valid signature")) {
                failures.add("wp-6.5-v9 was refused, but not for its signature: " + e.getMessage());
            }
        }
        // the lifecycle preview under a rule that keeps only the newest tagged image: what runs and
        // what a rollback needs are marked
        out.println(
                "  lifecycle preview, rules: keep the newest tagged image only (the release marks come first):");
        var preview =
                LifecycleView.evaluate(
                        dev.quartermaster.contract.LifecycleRules.defaults(1, 1),
                        ctx.platform,
                        ctx.service,
                        null,
                        false);
        LifecycleView.print(preview, false, out);
        String running =
                ctx.service
                        .lastGood()
                        .map(dev.quartermaster.release.ReleaseRecord::running)
                        .orElse("");
        expect(
                preview.lines().stream()
                        .filter(l -> l.digest().equals(running))
                        .map(l -> l.action())
                        .findFirst()
                        .orElse("absent"),
                "PROTECTED",
                "the running release in the lifecycle preview");
    }

    /** The demo's estate for the roll: two app hosts and a database host (the issue's example). */
    static final String ROLL_HOSTS =
            "hosts=[{\"name\":\"web1\",\"tagKey\":\"qm:host\",\"tagValue\":\"web1\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"web2\",\"tagKey\":\"qm:host\",\"tagValue\":\"web2\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]}]";

    /**
     * web1 and web2 (a podman-compose project each, sharing the one MariaDB) run wp-6.4-v1; web2
     * cannot run 6.5.5 (the local fault device makes its health check answer 500 for it). The roll
     * of wp-6.5-v2 takes one restore point, switches web1, fails web2's proof (web2 rolls itself
     * back), stops and returns web1: both end on wp-6.4-v1, the command's exit code names web2.
     */
    private void rollOverTwoHosts(LocalEnvironment local) throws Exception {
        List<String> before = List.of("signing=managed", "replication=" + DR_REPLICATION);
        local.context(List.of(before.get(0), before.get(1), ROLL_HOSTS));
        try {
            var ctx = ReleaseContext.local(local, true, out);
            String v1 = ctx.service.plan("wordpress:wp-6.4-v1", null, "web1").digest();
            local.startMissingSites(v1, out);
            LocalSite web1 = local.site("web1");
            LocalSite web2 = local.site("web2");
            out.println(
                    "  web1 serves "
                            + web1.awaitServed("6.4.3", java.time.Duration.ofSeconds(20))
                            + " on "
                            + web1.healthUrl()
                            + ", web2 serves "
                            + web2.awaitServed("6.4.3", java.time.Duration.ofSeconds(20))
                            + " on "
                            + web2.healthUrl());
            // the hosts' first roll (quietly): each host's release is recorded, so a roll that
            // fails later knows where to return every host it switched
            PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
            long f0 = System.nanoTime();
            var setUp =
                    ReleaseContext.local(local, false, quiet)
                            .roll(quiet)
                            .run(
                                    new dev.quartermaster.release.ReleaseRoll.Request(
                                            ctx.service.config().app(),
                                            "wordpress:wp-6.4-v1",
                                            List.of("web1", "web2"),
                                            1,
                                            dev.quartermaster.release.RollRecord.OnFailure.ROLLBACK,
                                            "demo",
                                            null,
                                            null));
            out.printf(
                    "  rolled wp-6.4-v1 onto web1, web2: %s in %.1f s%n",
                    setUp.roll().status(), (System.nanoTime() - f0) / 1e9);
            expect(setUp.roll().status().name(), "DONE", "the first roll of wp-6.4-v1");
            web2.failHealth("6.5.5");
            out.println(
                    "  fault device armed: web2's health check answers 500 while it serves 6.5.5");
            var result =
                    ctx.roll(out)
                            .run(
                                    new dev.quartermaster.release.ReleaseRoll.Request(
                                            ctx.service.config().app(),
                                            "wordpress:wp-6.5-v2",
                                            List.of("web1", "web2"),
                                            1,
                                            dev.quartermaster.release.RollRecord.OnFailure.ROLLBACK,
                                            "demo",
                                            null,
                                            null));
            out.println(
                    "  qm release would exit "
                            + result.exitCode()
                            + ": "
                            + dev.quartermaster.common.Text.oneLine(result.failure(), 160));
            String s1 = web1.served();
            String s2 = web2.served();
            out.println("  now web1 serves " + s1 + ", web2 serves " + s2);
            expect(String.valueOf(result.failedHost()), "web2", "the host the roll stopped at");
            expect(Integer.toString(result.exitCode()), "3", "exit code of the failed roll");
            expect(s1, "6.4.3", "web1 after the failed roll (returned)");
            expect(s2, "6.4.3", "web2 after the failed roll (rolled itself back)");
            web2.healHealth();
        } finally {
            local.context(before);
        }
    }

    /**
     * Issue 34's database scenes on the one-host site: a release whose afterSwitch hook runs in the
     * new container, the migration WordPress's {@code wp core update-db} would make (the local
     * images carry no WP-CLI nor a database client, so the demo runs its SQL, said so), a plain
     * rollback refused because the schema changed, then {@code rollback --with-database}.
     */
    private void schemaAwareRollback(LocalEnvironment local) throws Exception {
        List<String> before = List.of("signing=managed", "replication=" + DR_REPLICATION);
        local.context(
                List.of(
                        before.get(0),
                        before.get(1),
                        "releaseHooks={\"afterSwitch\":\"/bin/cat /var/www/html/wp-includes/version.php\"}"));
        try {
            var ctx = ReleaseContext.local(local, true, out);
            LocalSite site = local.site();
            String v1 = ctx.service.plan("wordpress:wp-6.4-v1", null).digest();
            var up =
                    ctx.flow.release(
                            "wordpress:wp-6.5-v2",
                            null,
                            dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                            "demo");
            expect(up.status().name(), "RELEASED", "the release of wp-6.5-v2 with its hook");
            expect(
                    Boolean.toString(
                            String.valueOf(up.steps()).contains("after-switch")
                                    && String.valueOf(up.steps()).contains("6.5.5")),
                    "true",
                    "the afterSwitch hook's output in the release record");
            var db = local.mariaDb();
            String dbName = LocalEnvironment.DATABASE;
            db.sql(
                    dbName,
                    "ALTER TABLE wp_posts ADD COLUMN post_excerpt text NULL;"
                            + " UPDATE wp_options SET option_value = '58975' WHERE option_name = 'db_version'");
            out.println(
                    "  the migration wp core update-db would run (here SQL from the demo: no WP-CLI in the local images):"
                            + " wp_posts.post_excerpt added, db_version 57155 -> 58975");
            var refused =
                    ctx.database.prepare(
                            ctx.service,
                            null,
                            v1,
                            dev.quartermaster.backup.SchemaDecision.Choice.COMPARE,
                            "demo");
            out.println("  bin/qm rollback: " + refused.line());
            expect(
                    Boolean.toString(refused.proceed()),
                    "false",
                    "the plain rollback over a changed schema");
            expect(site.served(), "6.5.5", "what the site serves after the refused rollback");
            // bin/qm rollback --with-database: its own restore point of the live database, the
            // release's restore point back through the safe swap, then the image
            var noPoint = ReleaseContext.local(local, false, out);
            var with =
                    noPoint.database.prepare(
                            noPoint.service,
                            null,
                            v1,
                            dev.quartermaster.backup.SchemaDecision.Choice.WITH_DATABASE,
                            "demo");
            expect(with.action().name(), "RESTORE_DATABASE", "rollback --with-database");
            var back =
                    noPoint.flow.release(
                            "wordpress@" + v1,
                            null,
                            dev.quartermaster.release.ReleaseRecord.Kind.ROLLBACK,
                            "demo");
            String dbVersion =
                    db.sql(
                            dbName,
                            "SELECT option_value FROM wp_options WHERE option_name = 'db_version'");
            String excerpt =
                    db.sql(
                            null,
                            "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                                    + dbName
                                    + "' AND TABLE_NAME = 'wp_posts' AND COLUMN_NAME = 'post_excerpt'");
            out.println(
                    "  after rollback --with-database: the site serves "
                            + site.served()
                            + ", db_version "
                            + dbVersion
                            + ", post_excerpt columns "
                            + excerpt
                            + "; what it replaced is kept in restore point "
                            + with.restorePoint());
            expect(back.status().name(), "RELEASED", "the image's rollback");
            expect(site.served(), "6.4.3", "version served after rollback --with-database");
            expect(dbVersion, "57155", "db_version after rollback --with-database");
            expect(excerpt, "0", "the migrated column after rollback --with-database");
        } finally {
            local.context(before);
        }
    }

    /**
     * Deletes wp-6.4-v1 from the registry (as a cleanup job gone wrong would), restores it from the
     * archive, compares digests.
     */
    private void archiveRoundTrip(
            LocalEnvironment local, dev.quartermaster.common.Platform services, String digest)
            throws Exception {
        var registry =
                new dev.quartermaster.registry.RegistryClient(
                        local.registry().url(),
                        dev.quartermaster.registry.RegistryAuth.anonymous());
        var delete =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        local.registry().url()
                                                                + "/v2/wordpress/manifests/"
                                                                + digest))
                                        .DELETE()
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding());
        boolean gone;
        try {
            registry.manifest("wordpress", "wp-6.4-v1");
            gone = false;
        } catch (dev.quartermaster.registry.RegistryException e) {
            gone = true;
        }
        out.println(
                "  deleted wordpress@"
                        + digest.substring(7, 19)
                        + " from the registry (HTTP "
                        + delete.statusCode()
                        + "); wp-6.4-v1 "
                        + (gone ? "is gone" : "is STILL THERE"));
        var layout = dev.quartermaster.archive.ArchiveRoot.layout(services);
        var entry =
                dev.quartermaster.archive.ImageRestorer.resolve(
                        layout.readIndex().index(), "wordpress:wp-6.4-v1");
        var restorer =
                new dev.quartermaster.archive.ImageRestorer(
                        layout,
                        new dev.quartermaster.registry.RegistryWriter(
                                local.registry().url(),
                                dev.quartermaster.registry.RegistryAuth.anonymous()),
                        registry);
        var r =
                restorer.restore(
                        entry,
                        "wordpress",
                        "wp-6.4-v1",
                        dev.quartermaster.archive.ImageArchiver.Progress.NONE);
        String now = registry.manifest("wordpress", "wp-6.4-v1").digest();
        out.printf(
                "  restored wp-6.4-v1 from the archive: %d blob(s) pushed, %d already there; digest %s %s%n",
                r.blobsPushed(),
                r.blobsSkipped(),
                now.substring(7, 19),
                now.equals(digest) ? "UNCHANGED" : "DIFFERENT from " + digest.substring(7, 19));
        expect(now, digest, "wp-6.4-v1 digest after restore from the archive");
    }

    /** The event ECR sends for a push, same shape as events/image-action-push.json. */
    public static byte[] pushEvent(String tag, String digest) {
        String json =
                "{\"version\":\"0\",\"id\":\""
                        + UUID.randomUUID()
                        + "\",\"detail-type\":\"ECR Image Action\",\"source\":\"aws.ecr\","
                        + "\"account\":\"000000000000\",\"time\":\""
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                        + "\",\"region\":\"us-east-1\","
                        + "\"resources\":[],\"detail\":{\"result\":\"SUCCESS\",\"repository-name\":\"wordpress\",\"image-digest\":\""
                        + digest
                        + "\",\"action-type\":\"PUSH\",\"image-tag\":\""
                        + tag
                        + "\",\"manifest-media-type\":\""
                        + OciImages.MANIFEST
                        + "\",\"artifact-media-type\":\""
                        + OciImages.CONFIG
                        + "\"}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private JsonNode invoke(RequestStreamHandler handler, String name, byte[] event)
            throws Exception {
        // the EMF metric lines are not for this screen
        JsonNode result =
                LocalInvoke.call(
                        handler,
                        name,
                        event,
                        new PrintStream(java.io.OutputStream.nullOutputStream()));
        String status = result.path("status").asText();
        if (status.equals("REJECTED")) {
            failures.add(name + " rejected its event: " + result.path("message").asText());
        }
        return result;
    }

    private static String verdict(dev.quartermaster.common.Platform services, String digest) {
        return LedgerRoot.store(services)
                .image("wordpress", digest)
                .map(i -> String.valueOf(i.verdict()))
                .orElse("(not in ledger)");
    }

    private void printLedger(List<ImageRecord> images) {
        TextTable t = new TextTable("TAG", "DIGEST", "PUSHED", "VERDICT", "FOUND");
        images.stream()
                .sorted(java.util.Comparator.comparing(i -> String.join(",", i.tags())))
                .forEach(
                        i ->
                                t.row(
                                        String.join(",", i.tags()),
                                        TextTable.shortDigest(i.digest()),
                                        i.lastPushedAt(),
                                        i.verdict(),
                                        i.verification() == null
                                                ? null
                                                : i.verification().found()));
        t.print(out, "  ");
    }

    private void expect(String actual, String wanted, String what) {
        if (!wanted.equals(actual)) {
            failures.add(what + ": expected " + wanted + ", got " + actual);
        }
    }

    private void step(int n, String what) {
        out.printf("%n[%d/11] %s   (%.1f s)%n", n, what, (System.nanoTime() - t0) / 1e9);
    }

    private void progress(CompletableFuture<?> work, String what) throws InterruptedException {
        long start = System.nanoTime();
        while (!work.isDone()) {
            Thread.sleep(1000);
            if (!work.isDone()) {
                out.printf("  ... %s (%d s)%n", what, (System.nanoTime() - start) / 1_000_000_000);
            }
        }
    }
}
