package dev.quartermaster.release;

import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.testutils.RecordingCommands;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The release gate and the recording of what the host reports, on the in-memory twins. */
class ReleaseServiceTest {
    private static final java.util.List<dev.quartermaster.contract.Host> HOSTS =
            dev.quartermaster.contract.Host.parseList(
                    dev.quartermaster.contract.Setting.HOSTS.defaultValue());
    private static final String V1 = "sha256:" + "1".repeat(64);
    private static final String V2 = "sha256:" + "2".repeat(64);
    private static final String LIAR = "sha256:" + "3".repeat(64);
    private final InMemoryLedgerStore ledger = new InMemoryLedgerStore();
    private final InMemoryReleaseStore store = new InMemoryReleaseStore();
    private final RecordingCommands commands = new RecordingCommands();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final dev.quartermaster.registry.InMemoryImageTags tags =
            new dev.quartermaster.registry.InMemoryImageTags();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
    private final ReleaseProtection protection =
            new ReleaseProtection(tags, java.time.Duration.ofDays(7), clock);
    private final ReleaseService service =
            new ReleaseService(
                    new ReleaseConfig(
                            "wordpress",
                            "wordpress",
                            "registry.example/wordpress",
                            "QuartermasterRelease",
                            "QuartermasterReleaseCheck",
                            HOSTS),
                    store,
                    ledger,
                    commands,
                    protection,
                    alerts,
                    clock);

    private static final String V4 = "sha256:" + "4".repeat(64);

    ReleaseServiceTest() {
        push("e4", "wp-6.6-v4", V4, ImageVerdict.VERIFIED, "6.6.1");
        push("e1", "wp-6.4-v1", V1, ImageVerdict.VERIFIED, "6.4.3");
        push("e2", "wp-6.5-v2", V2, ImageVerdict.VERIFIED, "6.5.5");
        push("e3", "wp-6.4-v3", LIAR, ImageVerdict.MISMATCH, "6.5.5");
    }

    private void push(String event, String tag, String digest, ImageVerdict verdict, String found) {
        tags.image("wordpress", digest, tag);
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                event,
                                Instant.now(),
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
                        verdict,
                        "6.x",
                        found,
                        verdict == ImageVerdict.MISMATCH
                                ? "tag promises 6.4 but the image holds 6.5.5"
                                : "ok",
                        10,
                        100,
                        Instant.now()));
    }

    private ReleaseRecord released(String tag, String report) {
        clock.advance(
                java.time.Duration.ofMinutes(
                        1)); // the history is ordered by when each release was asked for
        ReleaseRecord r =
                service.start(
                        service.plan("wordpress:" + tag, null),
                        "backups/wordpress/k.sql.zst",
                        "alice",
                        ReleaseRecord.Kind.RELEASE);
        commands.output(r.commandId(), "QM-STEP pull ok 10 x\n" + report + "\n");
        return service.onStatus(
                        r.commandId(),
                        report.contains("\"RELEASED\"") ? "Success" : "Failed",
                        "QuartermasterRelease")
                .record();
    }

    private static String report(String result, String running, String version) {
        return "QM-RELEASE {\"result\":\""
                + result
                + "\",\"running\":\""
                + running
                + "\",\"version\":\""
                + version
                + "\",\"reason\":\"r\",\"steps\":[{\"step\":\"pull\",\"status\":\"ok\",\"ms\":10}]}";
    }

    @Test
    void aFirstRelease_keepsWhatTheHostFoundRunning_asItsFromDigest() {
        ReleaseRecord first =
                released(
                        "wp-6.5-v2",
                        report("RELEASED", V2, "6.5.5")
                                .replace("\"running\"", "\"from\":\"" + V1 + "\",\"running\""));
        assertThat(first.fromDigest())
                .as("no release was recorded before: the host's report")
                .isEqualTo(V1);
        assertThat(store.byCommandId(first.commandId()).orElseThrow().fromDigest()).isEqualTo(V1);
    }

    @Test
    void
            aRepositoryThatRequiresSignatures_refusesAnUnsignedOrInvalidDigest_releasesASignedOne_andForceIsRecorded() {
        ReleaseService gated =
                new ReleaseService(
                        new ReleaseConfig(
                                "wordpress",
                                "wordpress",
                                "registry.example/wordpress",
                                "QuartermasterRelease",
                                "QuartermasterReleaseCheck",
                                HOSTS,
                                new dev.quartermaster.signature.TrustPolicy(
                                        List.of(), List.of(), List.of("word*"), true)),
                        store,
                        ledger,
                        commands,
                        protection,
                        alerts,
                        clock);

        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("needs a valid signature")
                .hasMessageContaining("has not been checked")
                .hasMessageContaining("Nothing was sent");
        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "UNSIGNED",
                        null,
                        "no Notation signature refers to it",
                        null,
                        Instant.now()));
        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .hasMessageContaining("its signature is UNSIGNED: no Notation signature");
        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "INVALID", null, "signed by someone else", null, Instant.now()));
        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .hasMessageContaining("INVALID: signed by someone else");
        assertThat(
                        gated.plan("wordpress:wp-6.4-v1", "hotfix signed out of band, ticket 42")
                                .overrideReason())
                .contains("ticket 42");

        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "SIGNED",
                        "arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm/v1",
                        null,
                        Instant.now(),
                        Instant.now()));
        assertThat(gated.plan("wordpress:wp-6.4-v1", null).digest()).isEqualTo(V1);
        assertThat(commands.sent()).isEmpty();
        // a repository no pattern names releases as before
        assertThat(service.plan("wordpress:wp-6.5-v2", null).digest()).isEqualTo(V2);
    }

    @Test
    void
            aReleaseByTag_whenAnOldDigestWasReVerifiedByAnotherTag_isRefusedWithWhatTheTagPromisesAndWhatTheDigestHolds() {
        // wp-6.6-v5 is pushed onto the old 6.4.3 digest: MISMATCH; then wp-6.4-hotfix on the same
        // digest: VERIFIED again (last write wins)
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "e5",
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                V1,
                                "wp-6.6-v5",
                                null,
                                null));
        ledger.recordVerification(
                "wordpress",
                V1,
                new ImageRecord.Verification(
                        ImageVerdict.MISMATCH,
                        "6.6",
                        "6.4.3",
                        "tag promises 6.6",
                        1,
                        1,
                        Instant.now()));
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "e6",
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                V1,
                                "wp-6.4-hotfix",
                                null,
                                null));
        ledger.recordVerification(
                "wordpress",
                V1,
                new ImageRecord.Verification(
                        ImageVerdict.VERIFIED, "6.4", "6.4.3", "ok", 1, 1, Instant.now()));
        assertThat(ledger.image("wordpress", V1).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.VERIFIED);

        assertThatThrownBy(() -> service.plan("wordpress:wp-6.6-v5", null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("wordpress:wp-6.6-v5 promises 6.6")
                .hasMessageContaining("holds 6.4.3")
                .hasMessageContaining(V1)
                .hasMessageContaining("Nothing was sent");
        assertThat(commands.sent()).isEmpty();
        // the tag the digest keeps its promise for still releases, and --force is recorded as ever
        assertThat(service.plan("wordpress:wp-6.4-hotfix", null).digest()).isEqualTo(V1);
        assertThat(
                        service.plan(
                                        "wordpress:wp-6.6-v5",
                                        "rolling back under the new tag, ticket 9")
                                .overrideReason())
                .contains("ticket 9");
    }

    @Test
    void aReleaseByTag_whoseTagNoRuleCovers_isRefused_andByDigestStillReleases() {
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "e7",
                                Instant.now(),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                V2,
                                "latest",
                                null,
                                null));

        assertThatThrownBy(() -> service.plan("wordpress:latest", null))
                .hasMessageContaining("no version rule gives wordpress:latest a promise");
        assertThat(service.plan("wordpress@" + V2, null).digest()).isEqualTo(V2);
    }

    @Test
    void aReleaseByTag_whenTheTagMovesAfterThePlan_isRefusedNamingBothDigests_andNothingIsSent() {
        ReleaseService.Plan plan = service.plan("wordpress:wp-6.4-v1", null);
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "e8",
                                Instant.now().plusSeconds(5),
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                LIAR,
                                "wp-6.4-v1",
                                null,
                                null));

        assertThatThrownBy(() -> service.start(plan, null, "alice", ReleaseRecord.Kind.RELEASE))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("wordpress:wp-6.4-v1 now names " + LIAR)
                .hasMessageContaining("not " + V1);
        assertThat(commands.sent()).isEmpty();
        assertThat(store.list("wordpress", "host")).isEmpty();
    }

    private ReleaseService rechecking(SignatureRecheck recheck, java.time.Duration bound) {
        return new ReleaseService(
                new ReleaseConfig(
                        "wordpress",
                        "wordpress",
                        "registry.example/wordpress",
                        "QuartermasterRelease",
                        "QuartermasterReleaseCheck",
                        HOSTS,
                        new dev.quartermaster.signature.TrustPolicy(
                                List.of(), List.of(), List.of("word*"), true)),
                store,
                ledger,
                commands,
                protection,
                alerts,
                clock,
                recheck,
                bound);
    }

    private static final String PROFILE =
            "arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm/v1";

    @Test
    void
            aSignedDigest_whoseSignatureWasRevokedSincePush_isRefusedAtRelease_theNewVerdictIsRecordedAndAlerted() {
        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "SIGNED", PROFILE, null, clock.instant(), clock.instant()));
        List<String> asked = new java.util.ArrayList<>();
        ReleaseService gated =
                rechecking(
                        (repo, digest, wait) -> {
                            asked.add(repo + "@" + digest);
                            return dev.quartermaster.signature.SignatureVerdict.of(
                                    dev.quartermaster.signature.SignatureVerdict.State.INVALID,
                                    "the signing profile version was revoked at 2026-11-02T00:00:00Z",
                                    clock.instant());
                        },
                        java.time.Duration.ofSeconds(5));

        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining(
                        "its signature is INVALID: the signing profile version was revoked")
                .hasMessageContaining("Nothing was sent");

        assertThat(asked).containsExactly("wordpress@" + V1);
        assertThat(ledger.image("wordpress", V1).orElseThrow().signature().state())
                .isEqualTo("INVALID");
        assertThat(alerts.kinds()).contains("SIGNATURE_INVALID");
        assertThat(commands.sent()).isEmpty();
        // a fresh SIGNED releases; --force skips the re-check and is recorded
        ReleaseService fine =
                rechecking(
                        (repo, digest, wait) ->
                                new dev.quartermaster.signature.SignatureVerdict(
                                        dev.quartermaster.signature.SignatureVerdict.State.SIGNED,
                                        PROFILE,
                                        null,
                                        clock.instant(),
                                        clock.instant()),
                        java.time.Duration.ofSeconds(5));
        assertThat(fine.plan("wordpress:wp-6.4-v1", null).digest()).isEqualTo(V1);
        assertThat(ledger.image("wordpress", V1).orElseThrow().signature().signed()).isTrue();
    }

    @Test
    void aSignatureRecheckThatDoesNotAnswerInTime_refusesTheRelease() {
        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "SIGNED", PROFILE, null, clock.instant(), clock.instant()));
        ReleaseService gated =
                rechecking(
                        (repo, digest, wait) -> {
                            try {
                                Thread.sleep(10_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw new IllegalStateException("not reached");
                        },
                        java.time.Duration.ofMillis(300));

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .hasMessageContaining("could not be re-checked within");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        assertThat(ledger.image("wordpress", V1).orElseThrow().signature().state())
                .as("nothing new is known")
                .isEqualTo("SIGNED");
    }

    @Test
    void withoutAFreshCheck_aSignedVerdictOlderThanTheWindow_isRefusedNamingTheFix() {
        ReleaseService gated =
                new ReleaseService(
                        new ReleaseConfig(
                                "wordpress",
                                "wordpress",
                                "registry.example/wordpress",
                                "QuartermasterRelease",
                                "QuartermasterReleaseCheck",
                                HOSTS,
                                new dev.quartermaster.signature.TrustPolicy(
                                        List.of(), List.of(), List.of("word*"), true)),
                        store,
                        ledger,
                        commands,
                        protection,
                        alerts,
                        clock);
        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature(
                        "SIGNED", PROFILE, null, clock.instant(), clock.instant()));
        assertThat(gated.plan("wordpress:wp-6.4-v1", null).digest()).isEqualTo(V1);

        clock.advance(ReleaseService.SIGNATURE_FRESHNESS.plusMinutes(1));

        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .hasMessageContaining("bin/qm verify wordpress@" + V1);

        ledger.recordSignature(
                "wordpress",
                V1,
                new ImageRecord.Signature("SIGNED", PROFILE, null, clock.instant(), null));
        assertThatThrownBy(() -> gated.plan("wordpress:wp-6.4-v1", null))
                .as("a SIGNED without the time it was checked is not fresh")
                .hasMessageContaining("an unrecorded time")
                .hasMessageContaining("bin/qm verify wordpress@" + V1);
    }

    @Test
    void aVerifiedTag_isSentByDigestWithTheVersionTheLedgerFound() {
        ReleaseService.Plan plan = service.plan("wordpress:wp-6.4-v1", null);
        ReleaseRecord r = service.start(plan, "backups/x", "alice", ReleaseRecord.Kind.RELEASE);

        var sent = commands.sent().get(0);
        assertThat(sent.document()).isEqualTo("QuartermasterRelease");
        assertThat(sent.parameters())
                .containsEntry("digest", V1)
                .containsEntry("expectedVersion", "6.4.3")
                .containsEntry("hostName", plan.host()) // what the release hooks see
                .doesNotContainKey(
                        "imageRepo"); // the document fixes the repository: no caller can point the
        // host elsewhere
        assertThat(store.byCommandId(r.commandId()).orElseThrow().status())
                .isEqualTo(ReleaseRecord.Status.RUNNING);
    }

    @Test
    void aMismatch_isRefusedAndNothingIsSent_unlessForcedWithAReason() {
        assertThatThrownBy(() -> service.plan("wordpress:wp-6.4-v3", null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("MISMATCH")
                .hasMessageContaining("untouched");
        assertThatThrownBy(() -> service.plan("wordpress:wp-6.4-v3", " "))
                .hasMessageContaining("--reason");
        assertThat(commands.sent()).isEmpty();

        ReleaseRecord r =
                service.start(
                        service.plan("wordpress:wp-6.4-v3", "hotfix approved by bob"),
                        null,
                        "alice",
                        ReleaseRecord.Kind.RELEASE);
        assertThat(r.overrideReason()).isEqualTo("hotfix approved by bob");
        assertThat(store.list("wordpress", "host").get(0).forced()).isTrue();
    }

    @Test
    void anOverride_isRecordedBeforeItsCommandIsSent_andNothingIsSentWhenThatRecordFails() {
        ReleaseRecord r =
                service.start(
                        service.plan("wordpress:wp-6.4-v3", "hotfix approved by bob"),
                        null,
                        "alice",
                        ReleaseRecord.Kind.RELEASE);
        ReleaseRecord audit =
                store.list("wordpress", "host").stream()
                        .filter(x -> x.commandId().startsWith("override-"))
                        .findFirst()
                        .orElseThrow();
        assertThat(audit.status()).isEqualTo(ReleaseRecord.Status.SENT);
        assertThat(audit.reason()).contains(r.commandId());
        assertThat(audit.overrideReason()).isEqualTo("hotfix approved by bob");

        RecordingCommands none = new RecordingCommands();
        ReleaseStore failing =
                new ReleaseStore() {
                    @Override
                    public boolean create(ReleaseRecord record) {
                        throw new IllegalStateException("DynamoDB is down");
                    }

                    @Override
                    public java.util.Optional<ReleaseRecord> byCommandId(String commandId) {
                        return java.util.Optional.empty();
                    }

                    @Override
                    public boolean settle(ReleaseRecord outcome) {
                        return false;
                    }

                    @Override
                    public java.util.List<ReleaseRecord> list(String app, String host) {
                        return java.util.List.of();
                    }
                };
        ReleaseService down =
                new ReleaseService(
                        new ReleaseConfig(
                                "wordpress",
                                "wordpress",
                                "registry.example/wordpress",
                                "QuartermasterRelease",
                                "QuartermasterReleaseCheck",
                                HOSTS),
                        failing,
                        ledger,
                        none,
                        protection,
                        alerts,
                        Clock.systemUTC());
        assertThatThrownBy(
                        () ->
                                down.start(
                                        down.plan("wordpress:wp-6.4-v3", "hotfix"),
                                        null,
                                        "alice",
                                        ReleaseRecord.Kind.RELEASE))
                .hasMessageContaining("DynamoDB is down");
        assertThat(none.sent()).isEmpty();
    }

    @Test
    void aDigestDeletedFromTheRegistry_isRefused_unlessForcedWithAReason_forTheHostsOwnCopy() {
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "d1",
                                Instant.now(),
                                ImageAction.Kind.DELETE,
                                true,
                                "wordpress",
                                V1,
                                null,
                                null,
                                null));

        assertThatThrownBy(() -> service.plan("wordpress@" + V1, null))
                .hasMessageContaining("deleted from the registry")
                .hasMessageContaining("--force --reason");
        assertThat(service.plan("wordpress@" + V1, "the host still holds it; ECR lost it").digest())
                .isEqualTo(V1);
    }

    @Test
    void unknownTagsOtherRepositoriesAndBadDigests_areRefusedClearly() {
        assertThatThrownBy(() -> service.plan("wordpress:nope", null))
                .hasMessageContaining("no image tagged wordpress:nope");
        assertThatThrownBy(() -> service.plan("mariadb:11", null))
                .hasMessageContaining("releases wordpress only");
        assertThatThrownBy(() -> service.plan("wordpress@sha256:abc", null))
                .hasMessageContaining("sha256:<64 hex>");
        assertThatThrownBy(() -> service.plan("wordpress", null)).hasMessageContaining("REPO:TAG");
    }

    @Test
    void theHostsReport_isRecorded_andOnlyFailuresAlert() {
        ReleaseRecord ok = released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        assertThat(ok.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
        assertThat(ok.running()).isEqualTo(V1);
        assertThat(ok.restorePoint()).isEqualTo("backups/wordpress/k.sql.zst");
        assertThat(alerts.published()).isEmpty();

        ReleaseRecord back = released("wp-6.5-v2", report("ROLLED_BACK", V1, "6.4.3"));
        assertThat(back.status()).isEqualTo(ReleaseRecord.Status.ROLLED_BACK);
        assertThat(back.fromDigest()).isEqualTo(V1);
        assertThat(alerts.kinds()).containsExactly("RELEASE_ROLLED_BACK");
        assertThat(service.onStatus(back.commandId(), "Failed", "QuartermasterRelease").settled())
                .isEqualTo(ReleaseService.Settled.ALREADY_SETTLED);
        assertThat(alerts.published()).hasSize(1);
    }

    @Test
    void aCommandThatEndsWithoutAReport_isFailedAndAlerted() {
        ReleaseRecord r =
                service.start(
                        service.plan("wordpress:wp-6.4-v1", null),
                        null,
                        "alice",
                        ReleaseRecord.Kind.RELEASE);

        var result = service.onStatus(r.commandId(), "TimedOut", "QuartermasterRelease");

        assertThat(result.record().status()).isEqualTo(ReleaseRecord.Status.FAILED);
        assertThat(result.record().reason()).contains("unknown");
        assertThat(alerts.kinds()).containsExactly("RELEASE_FAILED");
        assertThat(service.onStatus("other", "Success", "SomeoneElsesDocument").settled())
                .isEqualTo(ReleaseService.Settled.FOREIGN_DOCUMENT);
    }

    @Test
    void rollbackTarget_isThePreviousGoodRelease() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        released("wp-6.5-v2", report("RELEASED", V2, "6.5.5"));

        assertThat(service.lastGood().orElseThrow().running()).isEqualTo(V2);
        assertThat(service.previousGood().orElseThrow().running()).isEqualTo(V1);
        assertThat(service.plan("wordpress:wp-6.4-v1", null).previousDigest()).isEqualTo(V2);
    }

    private void storageClass(
            String event, String digest, dev.quartermaster.ledger.StorageClass target) {
        clock.advance(java.time.Duration.ofMinutes(1));
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                event,
                                clock.instant(),
                                ImageAction.Kind.UPDATE_STORAGE_CLASS,
                                true,
                                "wordpress",
                                digest,
                                "",
                                null,
                                null,
                                target));
    }

    @Test
    void
            anArchivedDigest_isRefusedByTagAndByDigest_namingTheCommandThatRestoresIt_andNothingIsSentOrMarked() {
        storageClass("a1", V1, dev.quartermaster.ledger.StorageClass.ARCHIVE);

        for (String ref : List.of("wordpress:wp-6.4-v1", "wordpress@" + V1)) {
            assertThatThrownBy(
                            () ->
                                    service.start(
                                            service.plan(ref, null),
                                            null,
                                            "alice",
                                            ReleaseRecord.Kind.RELEASE))
                    .isInstanceOf(ReleaseService.Refused.class)
                    .hasMessageContaining("archive storage class")
                    .hasMessageContaining(
                            "aws ecr update-image-storage-class --repository-name wordpress --image-id imageDigest="
                                    + V1
                                    + " --target-storage-class STANDARD")
                    .hasMessageContaining("Nothing was sent");
        }
        assertThat(commands.sent()).isEmpty();
        assertThat(tags.tagsOf("wordpress", V1))
                .as("no release mark was put on it")
                .containsExactly("wp-6.4-v1");
        assertThat(store.list("wordpress", "host")).isEmpty();

        storageClass(
                "r1",
                V1,
                dev.quartermaster.ledger.StorageClass.STANDARD); // ECR's restore event arrived
        assertThat(service.plan("wordpress:wp-6.4-v1", null).digest()).isEqualTo(V1);
    }

    @Test
    void anArchivedDigestOfAnotherRepository_isRefusedForTheRepository_andSaysItIsArchivedToo() {
        String other = "sha256:" + "9".repeat(64);
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "u1",
                                clock.instant(),
                                ImageAction.Kind.UPDATE_STORAGE_CLASS,
                                true,
                                "ubuntu",
                                other,
                                "",
                                null,
                                null,
                                dev.quartermaster.ledger.StorageClass.ARCHIVE));

        assertThatThrownBy(() -> service.plan("ubuntu@" + other, null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageStartingWith(
                        "this stack releases wordpress only, not ubuntu; besides, refused: ubuntu@"
                                + other)
                .hasMessageContaining("--repository-name ubuntu --image-id imageDigest=" + other);
        assertThatThrownBy(() -> service.plan("ubuntu@" + V1, null))
                .hasMessage("this stack releases wordpress only, not ubuntu");
    }

    @Test
    void
            anArchivedRollbackTarget_isRefusedBeforeAnythingIsSent_unlessForcedBecauseTheHostStillHoldsIt() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        released("wp-6.5-v2", report("RELEASED", V2, "6.5.5"));
        int sentBefore = commands.sent().size();
        storageClass("a1", V1, dev.quartermaster.ledger.StorageClass.ARCHIVE);
        String target = "wordpress@" + service.previousGood().orElseThrow().running();

        assertThatThrownBy(() -> service.plan(target, null))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining(V1)
                .hasMessageContaining("--target-storage-class STANDARD");
        assertThat(commands.sent()).hasSize(sentBefore);

        ReleaseService.Plan forced =
                service.plan(target, "the host still holds 6.4.3, restore ticket 7");
        assertThat(forced.digest()).isEqualTo(V1);
        assertThat(forced.overrideReason()).contains("ticket 7");
    }

    @Test
    void aRunningDigestThatIsArchived_doesNotBlockTheReleaseOfAnother() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        storageClass("a1", V1, dev.quartermaster.ledger.StorageClass.ARCHIVE);

        ReleaseService.Plan plan = service.plan("wordpress:wp-6.5-v2", null);

        assertThat(plan.digest()).isEqualTo(V2);
        assertThat(plan.previousDigest()).as("the host rolls back with its own copy").isEqualTo(V1);
    }

    @Test
    void driftCheck_alertsWhenTheHostRunsAnotherDigestThanReleased() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        ReleaseRecord inStep = service.check("schedule");
        commands.output(inStep.commandId(), "QM-RUNNING {\"digest\":\"" + V1 + "\"}");
        assertThat(
                        service.onStatus(inStep.commandId(), "Success", "QuartermasterReleaseCheck")
                                .record()
                                .reason())
                .startsWith("in step");
        assertThat(alerts.published()).isEmpty();

        ReleaseRecord drifted = service.check("schedule");
        commands.output(drifted.commandId(), "QM-RUNNING {\"digest\":\"" + V2 + "\"}");
        assertThat(
                        service.onStatus(
                                        drifted.commandId(), "Success", "QuartermasterReleaseCheck")
                                .record()
                                .reason())
                .startsWith("DRIFT");
        assertThat(alerts.kinds()).containsExactly("RELEASE_DRIFT");
        assertThat(service.lastGood().orElseThrow().running())
                .as("checks are not releases")
                .isEqualTo(V1);
    }

    @Test
    void severalAppHosts_eachHasItsOwnHistory_andTheDriftCheckAsksEvery_one() {
        var hosts =
                dev.quartermaster.contract.Host.parseList(
                        "[{\"name\":\"db\",\"tagKey\":\"qm\",\"tagValue\":\"db\",\"roles\":[\"database\"]},"
                                + "{\"name\":\"web-1\",\"tagKey\":\"qm\",\"tagValue\":\"w1\",\"roles\":[\"app\"]},"
                                + "{\"name\":\"web-2\",\"tagKey\":\"qm\",\"tagValue\":\"w2\",\"roles\":[\"app\"]}]");
        ReleaseService two =
                new ReleaseService(
                        new ReleaseConfig(
                                "wordpress",
                                "wordpress",
                                "registry.example/wordpress",
                                "QuartermasterRelease",
                                "QuartermasterReleaseCheck",
                                hosts),
                        store,
                        ledger,
                        commands,
                        protection,
                        alerts,
                        Clock.systemUTC());
        assertThatThrownBy(() -> two.plan("wordpress:wp-6.4-v1", null))
                .hasMessageContaining("name one with --host");
        ReleaseRecord r =
                two.start(
                        two.plan("wordpress:wp-6.4-v1", null, "web-2"),
                        null,
                        "alice",
                        ReleaseRecord.Kind.RELEASE);
        assertThat(commands.sent().get(0).host().tagValue()).isEqualTo("w2");
        commands.output(r.commandId(), report("RELEASED", V1, "6.4.3"));
        two.onStatus(r.commandId(), "Success", "QuartermasterRelease");
        assertThat(two.lastGood("web-2").orElseThrow().running()).isEqualTo(V1);
        assertThat(two.lastGood("web-1")).as("web-1 was never released to").isEmpty();
        assertThat(store.list("wordpress", "web-2"))
                .extracting(ReleaseRecord::host)
                .containsOnly("web-2");

        var checks = two.checkAll("schedule");
        assertThat(checks).extracting(ReleaseRecord::host).containsExactly("web-1", "web-2");
        assertThat(commands.sent().subList(1, 3))
                .extracting(s -> s.host().name())
                .containsExactly("web-1", "web-2");
        assertThat(commands.sent()).noneMatch(s -> s.host().name().equals("db"));
    }

    private static String mark(String digest) {
        return ReleaseProtection.tagFor(digest);
    }

    @Test
    void
            aRelease_marksTheDigestAndItsRollbackTarget_beforeTheHostHearsOfIt_andMarksMoveAsReleasesDo() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        assertThat(tags.tagsOf("wordpress", V1)).contains(mark(V1));
        assertThat(mark(V1)).startsWith("qm-release-").hasSize(75).endsWith("1".repeat(64));

        released("wp-6.5-v2", report("RELEASED", V2, "6.5.5"));
        released(
                "wp-6.6-v4",
                report(
                        "RELEASED",
                        V4,
                        "6.6.1")); // running V4, rollback target V2: V1 is needed no more
        assertThat(service.releasedDigests()).containsEntry(V4, null).containsEntry(V2, null);
        assertThat(service.releasedDigests().get(V1))
                .as("V1 stopped being needed when V4's release was asked for")
                .isNotNull();

        var early = service.sweepProtection();
        assertThat(early.released()).as("inside the grace period").isEmpty();
        assertThat(early.kept()).containsExactlyInAnyOrder(V1, V2, V4);

        clock.advance(java.time.Duration.ofDays(8));
        var late = service.sweepProtection();
        assertThat(late.released()).containsExactly(V1);
        assertThat(tags.tagsOf("wordpress", V1)).containsExactly("wp-6.4-v1");
        assertThat(tags.tagsOf("wordpress", V2)).contains(mark(V2));
        assertThat(tags.tagsOf("wordpress", V4)).contains(mark(V4));

        // a rollback to V2: V2 runs, V4 is the rollback target; both keep their marks, nothing else
        // is marked
        ReleaseRecord back =
                service.start(
                        service.plan("wordpress@" + V2, null),
                        null,
                        "alice",
                        ReleaseRecord.Kind.ROLLBACK);
        commands.output(back.commandId(), report("RELEASED", V2, "6.5.5"));
        service.onStatus(back.commandId(), "Success", "QuartermasterRelease");
        clock.advance(java.time.Duration.ofDays(30));
        assertThat(service.sweepProtection().released()).isEmpty();
        assertThat(tags.tagged("wordpress", "qm-release-").keySet())
                .containsExactlyInAnyOrder(V2, V4);
    }

    @Test
    void aDigestThatCannotBeMarked_isNotReleased_andNothingIsSent() {
        tags.failWith(
                new dev.quartermaster.registry.RegistryException("AccessDenied: ecr:PutImage"));
        assertThatThrownBy(
                        () ->
                                service.start(
                                        service.plan("wordpress:wp-6.4-v1", null),
                                        null,
                                        "alice",
                                        ReleaseRecord.Kind.RELEASE))
                .isInstanceOf(ReleaseService.Refused.class)
                .hasMessageContaining("could not protect")
                .hasMessageContaining("Nothing was sent");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void aMarkThatIsTheImagesOnlyTag_stays_andAMarkNoReleaseNamed_isKept() {
        released("wp-6.4-v1", report("RELEASED", V1, "6.4.3"));
        released("wp-6.5-v2", report("RELEASED", V2, "6.5.5"));
        released("wp-6.6-v4", report("RELEASED", V4, "6.6.1"));
        tags.remove(
                "wordpress",
                V1,
                "wp-6.4-v1"); // the release tag moved away (a mutable repository): only the mark is
        // left
        String stranger = "sha256:" + "9".repeat(64);
        tags.image("wordpress", stranger, "keep-me", mark(stranger));
        clock.advance(java.time.Duration.ofDays(8));

        var sweep = service.sweepProtection();
        assertThat(sweep.stays()).as(sweep.toString()).containsKey(V1);
        assertThat(sweep.stays().get(V1)).contains("only tag");
        assertThat(tags.tagsOf("wordpress", V1))
                .as("the image still exists")
                .containsExactly(mark(V1));
        assertThat(sweep.kept()).contains(stranger);
    }
}
