package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Platform;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.release.ReleaseRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm status on real stores (DynamoDB Local): healthy is exit 0; an old backup, a mismatch, a
 * dead letter are exit 1 with the reason.
 */
class StatusViewIT {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void anUnfinishedRoll_isShown_andIsAProblemToFinish(@TempDir Path dir) throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            var releases = ReleaseContext.reader(local, p);
            String app = releases.config().app();
            String next = "sha256:" + "b".repeat(64);
            dev.quartermaster.release.RollRecord roll =
                    new dev.quartermaster.release.RollRecord(
                            app,
                            "roll-it",
                            dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                            "wordpress",
                            "wp-6.5-v2",
                            next,
                            "6.5.0",
                            "alice",
                            Instant.now().minus(Duration.ofMinutes(5)),
                            "backups/wordpress/rp.sql.zst",
                            null,
                            1,
                            dev.quartermaster.release.RollRecord.OnFailure.STOP,
                            List.of(
                                    dev.quartermaster.release.RollRecord.HostStep.pending(
                                                    "web1", next, DIGEST, "6.4.3")
                                            .sent("cmd-1")
                                            .with(
                                                    dev.quartermaster.release.RollRecord.HostState
                                                            .SWITCHED,
                                                    next,
                                                    "released"),
                                    dev.quartermaster.release.RollRecord.HostStep.pending(
                                            "web2", next, DIGEST, "6.4.3")),
                            dev.quartermaster.release.RollRecord.Status.RUNNING,
                            null,
                            null,
                            null,
                            null);
            assertThat(ReleaseRoot.rolls(p).createRoll(roll)).isTrue();

            var s =
                    StatusView.collect(
                            releases,
                            ReleaseRoot.store(p),
                            BackupRoot.store(p),
                            LedgerRoot.store(p),
                            "wordpress",
                            26,
                            List.of(),
                            DeadLetters.local(local.deadLettersDir()),
                            Instant.now());

            assertThat(s.problems())
                    .anyMatch(
                            x ->
                                    x.contains(
                                                    "roll roll-it is RUNNING (mixed: web1 runs sha256:bbbbbbbbbbbb, web2 runs sha256:aaaaaaaaaaaa)")
                                            && x.contains("bin/qm release --resume"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StatusView.print(s, true, false, new PrintStream(out, true, StandardCharsets.UTF_8));
            var json =
                    dev.quartermaster.events.EventParser.JSON.readTree(
                            out.toString(StandardCharsets.UTF_8));
            assertThat(json.at("/app/roll/status").asText()).isEqualTo("RUNNING");
            assertThat(json.at("/app/roll/hostSteps/0/state").asText()).isEqualTo("SWITCHED");
            assertThat(json.at("/app/roll/hostSteps/1/state").asText()).isEqualTo("PENDING");
            assertThat(json.at("/app/roll/mixed").asText()).startsWith("mixed: web1 runs");
        }
    }

    @Test
    void healthyThenAnOldBackupThenAMismatch(@TempDir Path dir) throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            var backups = BackupRoot.store(p);
            var ledger = LedgerRoot.store(p);
            Instant now = Instant.now();
            DeadLetters dead = DeadLetters.local(local.deadLettersDir());
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.BACKUP,
                            "wordpress",
                            now.minus(Duration.ofHours(2)),
                            "c1",
                            "backups/wordpress/k1.sql.zst",
                            null));
            backups.settle(
                    backups.byCommandId("c1")
                            .orElseThrow()
                            .verified(1000, "00", 5, 50, 3000, now.minus(Duration.ofHours(2))));
            new ImageLedger(ledger, a -> {})
                    .record(
                            new ImageAction(
                                    "e1",
                                    now,
                                    ImageAction.Kind.PUSH,
                                    true,
                                    "wordpress",
                                    DIGEST,
                                    "wp-6.4-v1",
                                    null,
                                    null));
            ledger.recordVerification(
                    "wordpress",
                    DIGEST,
                    new ImageRecord.Verification(
                            ImageVerdict.VERIFIED, "6.4", "6.4.3", "ok", 1, 1, now));
            ledger.recordArchive("wordpress", DIGEST, new ImageRecord.Archive(true, 10, 0, now));

            var healthy =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(
                            StatusView.print(
                                    healthy,
                                    false,
                                    false,
                                    new PrintStream(out, true, StandardCharsets.UTF_8)))
                    .as(healthy.problems().toString())
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains(
                            "Quartermaster status: OK",
                            "backups/wordpress/k1.sql.zst",
                            "VERIFIED: 1")
                    .doesNotContain("\u001b[");

            var late =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now.plus(Duration.ofHours(30)));
            assertThat(late.healthy()).isFalse();
            assertThat(late.problems())
                    .anyMatch(x -> x.contains("newest verified backup is 32.0 h old"));

            String liar = "sha256:" + "b".repeat(64);
            new ImageLedger(ledger, a -> {})
                    .record(
                            new ImageAction(
                                    "e2",
                                    now,
                                    ImageAction.Kind.PUSH,
                                    true,
                                    "wordpress",
                                    liar,
                                    "wp-6.4-v2",
                                    null,
                                    null));
            ledger.recordVerification(
                    "wordpress",
                    liar,
                    new ImageRecord.Verification(
                            ImageVerdict.MISMATCH, "6.4", "6.5.5", "lies", 1, 1, now));
            var lying =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now);
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            assertThat(
                            StatusView.print(
                                    lying,
                                    true,
                                    false,
                                    new PrintStream(json, true, StandardCharsets.UTF_8)))
                    .isEqualTo(1);
            assertThat(json.toString(StandardCharsets.UTF_8))
                    .contains("\"healthy\" : false", "MISMATCH wordpress:wp-6.4-v2");

            // an event a local invoke failed on waits in the local dead-letter queue: attention,
            // with the line that says why
            DeadLetters.keep(
                    local.deadLettersDir(),
                    "image-verify",
                    "{\"detail\":{}}".getBytes(StandardCharsets.UTF_8),
                    new IllegalStateException("boom"));
            var stuck =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now);
            assertThat(stuck.pipeline()).containsEntry("deadLetters", 1);
            assertThat(stuck.problems())
                    .anyMatch(x -> x.startsWith("the dead-letter queue holds 1 event(s)"));
        }
    }

    @Test
    void theRestorePointOfWhatRuns_isShownWithTheSchemaVersionItRecorded(@TempDir Path dir)
            throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            var backups = BackupRoot.store(p);
            Instant now = Instant.now();
            String key = "backups/wordpress/rp.sql.zst";
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.BACKUP,
                            "wordpress",
                            now.minus(Duration.ofHours(1)),
                            "c-rp",
                            key,
                            null));
            backups.settle(
                    backups.byCommandId("c-rp")
                            .orElseThrow()
                            .verified(1000, "00", 5, 50, 3000, now.minus(Duration.ofHours(1)))
                            .withSchema(
                                    new dev.quartermaster.backup.SchemaFingerprint(
                                            "c".repeat(64), "57155", 12)));
            var store = ReleaseRoot.store(p);
            var r =
                    new dev.quartermaster.release.ReleaseRecord(
                            "wordpress",
                            "host",
                            "cmd-rp",
                            dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                            dev.quartermaster.release.ReleaseRecord.Status.RUNNING,
                            "wordpress",
                            null,
                            DIGEST,
                            "6.4.3",
                            null,
                            "alice",
                            now.minus(Duration.ofMinutes(30)),
                            key,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null);
            store.create(r);
            store.settle(
                    r.settled(
                            dev.quartermaster.release.ReleaseRecord.Status.RELEASED,
                            DIGEST,
                            "6.4.3",
                            "released",
                            "[]",
                            now.minus(Duration.ofMinutes(29))));

            var s =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            store,
                            backups,
                            LedgerRoot.store(p),
                            "wordpress",
                            26,
                            List.of(),
                            DeadLetters.local(local.deadLettersDir()),
                            now);
            @SuppressWarnings("unchecked")
            var host = (java.util.Map<String, Object>) s.app().get("host");
            assertThat(host)
                    .containsEntry("restorePoint", key)
                    .containsEntry("restorePointDbVersion", "57155");
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            StatusView.print(s, true, false, new PrintStream(json, true, StandardCharsets.UTF_8));
            assertThat(json.toString(StandardCharsets.UTF_8))
                    .contains("\"restorePointDbVersion\" : \"57155\"");
        }
    }

    private static void released(
            dev.quartermaster.release.ReleaseStore store,
            String commandId,
            String digest,
            Instant at) {
        var r =
                new dev.quartermaster.release.ReleaseRecord(
                        "wordpress",
                        "host",
                        commandId,
                        dev.quartermaster.release.ReleaseRecord.Kind.RELEASE,
                        dev.quartermaster.release.ReleaseRecord.Status.RUNNING,
                        "wordpress",
                        null,
                        digest,
                        "6.4.3",
                        null,
                        "alice",
                        at,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null);
        store.create(r);
        store.settle(
                r.settled(
                        dev.quartermaster.release.ReleaseRecord.Status.RELEASED,
                        digest,
                        "6.4.3",
                        "released",
                        "[]",
                        at.plusSeconds(30)));
    }

    @Test
    void aRunningDigestOrRollbackTargetThatEcrArchived_needsAttention_withTheCommandThatRestoresIt(
            @TempDir Path dir) throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            var backups = BackupRoot.store(p);
            var ledger = LedgerRoot.store(p);
            var releases = ReleaseRoot.store(p);
            Instant now = Instant.now();
            String older = "sha256:" + "c".repeat(64);
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.BACKUP,
                            "wordpress",
                            now.minus(Duration.ofHours(2)),
                            "c1",
                            "backups/wordpress/k1.sql.zst",
                            null));
            backups.settle(
                    backups.byCommandId("c1")
                            .orElseThrow()
                            .verified(1000, "00", 5, 50, 3000, now.minus(Duration.ofHours(2))));
            released(releases, "r1", older, now.minus(Duration.ofDays(3)));
            released(releases, "r2", DIGEST, now.minus(Duration.ofDays(2)));
            DeadLetters dead = DeadLetters.local(local.deadLettersDir());

            var before =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            releases,
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now);
            assertThat(before.problems()).noneMatch(x -> x.contains("archived"));

            ImageLedger images = new ImageLedger(ledger, a -> {});
            images.record(
                    new ImageAction(
                            "s1",
                            now.minus(Duration.ofHours(1)),
                            ImageAction.Kind.UPDATE_STORAGE_CLASS,
                            true,
                            "wordpress",
                            older,
                            "",
                            null,
                            null,
                            dev.quartermaster.ledger.StorageClass.ARCHIVE));
            images.record(
                    new ImageAction(
                            "s2",
                            now.minus(Duration.ofMinutes(30)),
                            ImageAction.Kind.UPDATE_STORAGE_CLASS,
                            true,
                            "wordpress",
                            DIGEST,
                            "",
                            null,
                            null,
                            dev.quartermaster.ledger.StorageClass.ARCHIVE));
            var after =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            releases,
                            backups,
                            ledger,
                            "wordpress",
                            26,
                            List.of(),
                            dead,
                            now);

            assertThat(after.healthy()).isFalse();
            assertThat(after.problems())
                    .anySatisfy(
                            x ->
                                    assertThat(x)
                                            .startsWith(
                                                    "ECR archived the digest running on host ("
                                                            + DIGEST
                                                            + ")")
                                            .contains(
                                                    "--image-id imageDigest="
                                                            + DIGEST
                                                            + " --target-storage-class STANDARD"));
            assertThat(after.problems())
                    .anySatisfy(
                            x ->
                                    assertThat(x)
                                            .startsWith(
                                                    "ECR archived the rollback target on host ("
                                                            + older
                                                            + ")")
                                            .contains("bin/qm rollback is refused"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            StatusView.print(
                    after, false, false, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains(
                            "runningStorage: ARCHIVE since",
                            "rollbackTargetStorage: ARCHIVE since");
        }
    }

    @Test
    void aLifecyclePolicyThatRanAndDeletedWhileTheGuardHeardNothing_needsAttention(
            @TempDir Path dir) {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(java.io.OutputStream.nullOutputStream()));
            var backups = BackupRoot.store(p);
            var ledger = LedgerRoot.store(p);
            var hearing = dev.quartermaster.lifecycle.LifecycleRoot.hearing(p);
            Instant now = Instant.now();
            backups.create(
                    BackupRecord.running(
                            BackupRecord.Kind.BACKUP,
                            "wordpress",
                            now.minus(Duration.ofHours(2)),
                            "c1",
                            "backups/wordpress/k1.sql.zst",
                            null));
            backups.settle(
                    backups.byCommandId("c1")
                            .orElseThrow()
                            .verified(1000, "00", 5, 50, 3000, now.minus(Duration.ofHours(2))));
            new ImageLedger(ledger, a -> {})
                    .record(
                            new ImageAction(
                                    "e1",
                                    now.minus(Duration.ofDays(3)),
                                    ImageAction.Kind.PUSH,
                                    true,
                                    "wordpress",
                                    DIGEST,
                                    "wp-6.4-v1",
                                    null,
                                    null));
            new ImageLedger(ledger, a -> {})
                    .record(
                            new ImageAction(
                                    "e2",
                                    now.minus(Duration.ofDays(2)),
                                    ImageAction.Kind.DELETE,
                                    true,
                                    "wordpress",
                                    DIGEST,
                                    null,
                                    null,
                                    null));
            Instant ran = now.minus(Duration.ofDays(1));
            StatusView.Guard guard =
                    StatusView.Guard.of(List.of("wordpress"), repository -> ran, hearing);

            var deaf =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            guard,
                            "wordpress",
                            26,
                            List.of(),
                            DeadLetters.local(local.deadLettersDir()),
                            now);
            assertThat(deaf.pipeline().get("lifecycleGuard").toString())
                    .contains("wordpress=never heard, policy last ran " + ran);
            assertThat(deaf.problems())
                    .anyMatch(
                            x ->
                                    x.contains("never received a lifecycle event")
                                            && x.contains("-c cloudTrail=create"));

            hearing.heard(
                    "wordpress",
                    ran.plusSeconds(300)); // what lifecycle-guard records when an event arrives
            var hears =
                    StatusView.collect(
                            ReleaseContext.reader(local, p),
                            ReleaseRoot.store(p),
                            backups,
                            ledger,
                            guard,
                            "wordpress",
                            26,
                            List.of(),
                            DeadLetters.local(local.deadLettersDir()),
                            now);
            assertThat(hears.problems()).noneMatch(x -> x.contains("lifecycle event"));
            assertThat(hears.pipeline().get("lifecycleGuard").toString())
                    .contains("last heard " + ran.plusSeconds(300));
        }
    }
}
