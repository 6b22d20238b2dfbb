package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.Host;
import dev.quartermaster.events.Inspector2Finding;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.release.ReleaseStore;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.replication.Replica;
import dev.quartermaster.replication.ReplicaState;
import dev.quartermaster.replication.ReplicationRoot;
import dev.quartermaster.verify.VerifyRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm status's "needs attention", one test per problem kind, on real stores (DynamoDB Local, the
 * alert log's own table): from a healthy state (exit 0), each problem alone makes the exit 1 and is
 * listed with the command to run next.
 */
class StatusAttentionIT {
    static final String GOOD = "sha256:" + "a".repeat(64);
    static final String OTHER = "sha256:" + "b".repeat(64);
    static final Destination DR = new Destination("eu-central-1", "123456789012");
    static final List<Host> HOSTS =
            List.of(
                    new Host("web-1", "qm:host", "web-1", EnumSet.of(Host.Role.APP)),
                    new Host("web-2", "qm:host", "web-2", EnumSet.of(Host.Role.APP)),
                    new Host("db", "qm:host", "db", EnumSet.of(Host.Role.DATABASE)));

    @TempDir Path dir;
    LocalEnvironment local;
    Platform p;
    LedgerStore ledger;
    BackupStore backups;
    ReleaseStore releases;
    ReleaseService reader;
    Instant now = Instant.now();
    List<String> signatureRequired = List.of();

    @BeforeEach
    void healthy() {
        local = new LocalEnvironment(dir, true);
        p = LocalServices.platform(local, new PrintStream(java.io.OutputStream.nullOutputStream()));
        ledger = LedgerRoot.store(p);
        backups = BackupRoot.store(p);
        releases = ReleaseRoot.store(p);
        reader =
                new ReleaseService(
                        new ReleaseConfig(
                                "wordpress",
                                "wordpress",
                                "registry/wordpress",
                                "Release",
                                "Check",
                                HOSTS),
                        releases,
                        ledger,
                        null,
                        null,
                        p.alerts(),
                        java.time.Clock.systemUTC());
        backup("b1", now.minus(Duration.ofDays(9)));
        backup("b2", now.minus(Duration.ofHours(2)));
        drill("d1", now.minus(Duration.ofDays(2)), true);
        image(GOOD, "wp-6.4-v1", ImageVerdict.VERIFIED, now.minus(Duration.ofDays(3)));
        released("web-1", "r1", GOOD, now.minus(Duration.ofDays(2)), null);
        released("web-2", "r2", GOOD, now.minus(Duration.ofDays(2)), null);
    }

    @AfterEach
    void stop() {
        local.close();
    }

    @Test
    void theHealthyState_needsNoAttention_andShowsTheAlertLogsLastAlerts() throws Exception {
        p.alerts()
                .publish(
                        new Alert(
                                "TAG_MOVED",
                                "Tag moved: wordpress:latest",
                                "moved",
                                Map.of("repository", "wordpress", "tag", "latest")));
        p.alerts()
                .publish(
                        new Alert(
                                "TAG_MOVED",
                                "Tag moved: wordpress:latest",
                                "moved",
                                Map.of("repository", "wordpress", "tag", "latest")));

        StatusView.Status s = status();
        assertThat(s.problems()).isEmpty();
        assertThat(print(s, 0))
                .contains("last alerts:", "TAG_MOVED x2: Tag moved: wordpress:latest")
                .doesNotContain("not readable back");
    }

    @Test
    void anImageThatFailedItsScan_isListedWithItsLedgerCommand() throws Exception {
        image(OTHER, "wp-6.5-v1", ImageVerdict.VERIFIED, now.minus(Duration.ofHours(3)));
        ledger.recordScan(
                "wordpress", OTHER, Map.of("CRITICAL", 2), true, now.minus(Duration.ofHours(3)));

        attention(
                "image: FAILED_SCAN wordpress:wp-6.5-v1",
                "bin/qm ledger wordpress@" + OTHER + " --aws");
    }

    @Test
    void anUnverifiableImage_isListedWithItsLedgerCommand() throws Exception {
        image(OTHER, "wp-6.5-v1", ImageVerdict.UNVERIFIABLE, now.minus(Duration.ofHours(3)));

        attention(
                "image: UNVERIFIABLE wordpress:wp-6.5-v1",
                "bin/qm ledger wordpress@" + OTHER + " --aws");
    }

    @Test
    void aHostRunningADigestThatIsNotVerified_isListed() throws Exception {
        image(OTHER, "wp-6.5-v1", ImageVerdict.MISMATCH, now.minus(Duration.ofDays(10)));
        released("web-1", "r3", OTHER, now.minus(Duration.ofDays(1)), "hotfix, the rule is wrong");
        released("web-2", "r4", OTHER, now.minus(Duration.ofDays(1)), "hotfix, the rule is wrong");

        attention(
                "web-1 runs wordpress@"
                        + OTHER
                        + " (wp-6.5-v1), which is not VERIFIED (MISMATCH): released with --force, hotfix",
                "bin/qm verify wordpress@" + OTHER + " --aws");
    }

    @Test
    void aHostRunningAnUnsignedDigest_whereSignaturesAreRequired_isListed() throws Exception {
        signatureRequired = List.of("word*");
        ledger.recordSignature(
                "wordpress",
                GOOD,
                new ImageRecord.Signature("UNSIGNED", null, "no signature", null, now));

        attention(
                "web-1 runs wordpress@"
                        + GOOD
                        + ", not SIGNED (UNSIGNED) though wordpress's releases need a signature",
                "bin/qm verify wordpress@" + GOOD + " --aws");
    }

    @Test
    void aHostRunningADigestWithAnActiveCriticalFinding_isListed() throws Exception {
        VerifyRoot.findings(p)
                .record(
                        new Inspector2Finding(
                                "arn:aws:inspector2:us-east-1:123456789012:finding/abc123",
                                "wordpress",
                                GOOD,
                                "CRITICAL",
                                "ACTIVE",
                                "CVE-2026-0001",
                                "openssl",
                                now));
        VerifyRoot.findings(p)
                .record(
                        new Inspector2Finding(
                                "arn:aws:inspector2:us-east-1:123456789012:finding/def456",
                                "wordpress",
                                GOOD,
                                "CRITICAL",
                                "CLOSED",
                                "CVE-2026-0002",
                                "zlib",
                                now));

        attention(
                "web-1 runs wordpress@"
                        + GOOD
                        + " with 1 active CRITICAL finding(s) (CVE-2026-0001)",
                "bin/qm ledger wordpress --aws");
    }

    @Test
    void aFailedReplica_isListedWithTheBackfill() throws Exception {
        var store = ReplicationRoot.store(p);
        Replica pending =
                Replica.pending(
                        "wordpress",
                        GOOD,
                        DR,
                        now.minus(Duration.ofDays(3)),
                        now.plus(Duration.ofHours(1)));
        store.await(pending);
        store.transition(
                store.get("wordpress", GOOD, DR),
                pending.settled(ReplicaState.FAILED, "IMAGE_NOT_FOUND", now, null));

        attention(
                "1 replica(s) FAILED in eu-central-1/123456789012: wordpress@aaaaaaaaaaaa",
                "bin/qm replicate backfill --to eu-central-1/123456789012 --aws");
    }

    @Test
    void aLateReplica_isListedWithTheBackfill() throws Exception {
        ReplicationRoot.store(p)
                .await(
                        Replica.pending(
                                "wordpress",
                                GOOD,
                                DR,
                                now.minus(Duration.ofDays(3)),
                                now.minus(Duration.ofHours(2))));

        attention(
                "1 replica(s) LATE in eu-central-1/123456789012",
                "bin/qm replicate backfill --to eu-central-1/123456789012 --aws");
    }

    @Test
    void aLifecycleLoss_knownOnlyToTheAlertLog_isListedWithItsNextCommand() throws Exception {
        p.alerts()
                .publish(
                        new Alert(
                                "LIFECYCLE_LOSS",
                                "LIFECYCLE LOSS: 1 needed image(s) of wordpress expired",
                                "expired",
                                Map.of("repository", "wordpress", "digests", GOOD),
                                "bin/qm archive restore wordpress@"
                                        + GOOD
                                        + " --to <registry> --aws"));

        attention(
                "LIFECYCLE LOSS: 1 needed image(s) of wordpress expired (1x, last at",
                "bin/qm archive restore wordpress@" + GOOD);
    }

    @Test
    void drift_isListedWithTheChecksHistory() throws Exception {
        ReleaseRecord check =
                new ReleaseRecord(
                        "wordpress",
                        "web-2",
                        "c1",
                        ReleaseRecord.Kind.CHECK,
                        ReleaseRecord.Status.RUNNING,
                        "wordpress",
                        null,
                        null,
                        null,
                        null,
                        "release-drift",
                        now.minus(Duration.ofMinutes(30)),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null);
        releases.create(check);
        releases.settle(
                check.settled(
                        ReleaseRecord.Status.CHECKED,
                        OTHER,
                        null,
                        "DRIFT: the host runs "
                                + OTHER
                                + " but the last release put "
                                + GOOD
                                + " there",
                        null,
                        now.minus(Duration.ofMinutes(29))));

        attention(
                "drift on web-2: DRIFT: the host runs " + OTHER,
                "bin/qm releases wordpress --checks --host web-2 --aws");
    }

    @Test
    void aRollThatLeftTheHostsOnDifferentDigests_isListedWithTheReleaseThatFinishesIt()
            throws Exception {
        image(OTHER, "wp-6.5-v1", ImageVerdict.VERIFIED, now.minus(Duration.ofDays(1)));
        ledger.recordArchive("wordpress", OTHER, new ImageRecord.Archive(true, 10, 0, now));
        released("web-1", "r3", OTHER, now.minus(Duration.ofHours(5)), null);

        attention(
                "a roll in a mixed state: web-1 run "
                        + OTHER.substring(0, 19)
                        + "; web-2 run "
                        + GOOD.substring(0, 19),
                "bin/qm release wordpress@" + OTHER + " --host web-2 --aws");
    }

    @Test
    void anOldBackup_isListed() throws Exception {
        now = now.plus(Duration.ofHours(30));

        attention(
                "the newest verified backup is 32.0 h old (maxBackupAgeHours 26)",
                "bin/qm backups --database wordpress --aws");
    }

    @Test
    void anOldDrill_isListed() throws Exception {
        now = now.plus(Duration.ofDays(7));
        backup("b3", now.minus(Duration.ofHours(1)));

        attention(
                "the last restore drill of wordpress ran",
                "bin/qm backups --drills --database wordpress --aws");
    }

    @Test
    void deadLetters_areListed() throws Exception {
        DeadLetters.keep(
                local.deadLettersDir(),
                "image-verify",
                "{\"detail\":{}}".getBytes(StandardCharsets.UTF_8),
                new IllegalStateException("boom"));

        attention("the dead-letter queue holds 1 event(s)", "aws sqs receive-message");
    }

    private StatusView.Status status() {
        Attention.Sources sources =
                new Attention.Sources(
                        ReplicationRoot.store(p),
                        VerifyRoot.findings(p),
                        signatureRequired,
                        p.alertLog().orElseThrow());
        return StatusView.collect(
                reader,
                releases,
                backups,
                ledger,
                new StatusView.Guard(List.of("wordpress"), r -> null, r -> null),
                "wordpress",
                26,
                sources,
                DeadLetters.local(local.deadLettersDir()),
                now);
    }

    /**
     * A problem starts with {@code what} and names {@code next} after " — next: "; status exits 1
     * and prints it.
     */
    private void attention(String what, String next) throws Exception {
        StatusView.Status s = status();
        assertThat(s.problems())
                .as("the problem, with its next command")
                .anySatisfy(
                        problem -> {
                            assertThat(problem).startsWith(what);
                            assertThat(problem.substring(problem.indexOf(" — next: ") + 9))
                                    .startsWith(next);
                        });
        assertThat(print(s, 1)).contains("needs attention:", what);
    }

    private static String print(StatusView.Status s, int exit) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(
                        StatusView.print(
                                s,
                                false,
                                false,
                                new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isEqualTo(exit);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void backup(String id, Instant at) {
        backups.create(
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        "wordpress",
                        at,
                        id,
                        "backups/wordpress/" + id + ".sql.zst",
                        null));
        backups.settle(
                backups.byCommandId(id)
                        .orElseThrow()
                        .verified(1000, "00", 5, 50, 3000, at.plusSeconds(60)));
    }

    private void drill(String id, Instant at, boolean passed) {
        backups.create(
                BackupRecord.running(
                        BackupRecord.Kind.DRILL,
                        "wordpress",
                        at,
                        id,
                        "backups/wordpress/b1.sql.zst",
                        "drills/" + id + ".json"));
        BackupRecord r = backups.byCommandId(id).orElseThrow();
        backups.settle(
                passed
                        ? r.passed(5, 50, 4000, at.plusSeconds(90))
                        : r.failed("rows differ", at.plusSeconds(90)));
    }

    private void image(String digest, String tag, ImageVerdict verdict, Instant pushed) {
        new ImageLedger(ledger, a -> {})
                .record(
                        new ImageAction(
                                "push-" + digest.substring(7, 15) + tag,
                                pushed,
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                digest,
                                tag,
                                null,
                                null));
        ledger.recordVerification(
                "wordpress",
                digest,
                new ImageRecord.Verification(
                        verdict, "6.4", "6.4.3", "checked", 1, 1, pushed.plusSeconds(30)));
        ledger.recordSignature(
                "wordpress",
                digest,
                new ImageRecord.Signature(
                        "SIGNED",
                        "arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm",
                        null,
                        pushed,
                        pushed.plusSeconds(30)));
        ledger.recordArchive(
                "wordpress", digest, new ImageRecord.Archive(true, 10, 0, pushed.plusSeconds(40)));
    }

    private void released(
            String host, String commandId, String digest, Instant at, String overrideReason) {
        String tag =
                ledger.image("wordpress", digest)
                        .map(i -> i.tags().stream().findFirst().orElse(null))
                        .orElse(null);
        ReleaseRecord r =
                new ReleaseRecord(
                        "wordpress",
                        host,
                        commandId,
                        ReleaseRecord.Kind.RELEASE,
                        ReleaseRecord.Status.RUNNING,
                        "wordpress",
                        tag,
                        digest,
                        "6.4.3",
                        null,
                        "alice",
                        at,
                        null,
                        overrideReason,
                        null,
                        null,
                        null,
                        null,
                        null);
        releases.create(r);
        releases.settle(
                r.settled(
                        ReleaseRecord.Status.RELEASED,
                        digest,
                        "6.4.3",
                        "released",
                        "[]",
                        at.plusSeconds(30)));
    }
}
