package dev.quartermaster.ledger;

import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link LedgerStore} does under {@link ImageLedger}: the in-memory twin (unit tier) and
 * the DynamoDB store (integration tier, DynamoDB Local) both pass it.
 */
abstract class LedgerStoreContract {
    /** A fresh, empty store. */
    protected abstract LedgerStore newStore();

    private static String digest(int i) {
        return "sha256:" + String.format("%064x", i);
    }

    private static ImageAction push(String id, String at, String tag, String digest) {
        return new ImageAction(
                id,
                Instant.parse(at),
                ImageAction.Kind.PUSH,
                true,
                "wordpress",
                digest,
                tag,
                "application/vnd.oci.image.manifest.v1+json",
                null);
    }

    /** The ledger over a fresh store, and the store, as {@code services} did before. */
    private record Fixture(ImageLedger ledger, LedgerStore store, RecordingAlerts alerts) {
        LedgerStore ledgerStore() {
            return store;
        }
    }

    private Fixture fixture() {
        RecordingAlerts alerts = new RecordingAlerts();
        LedgerStore store = newStore();
        return new Fixture(new ImageLedger(store, alerts), store, alerts);
    }

    @Test
    void acceptScan_liftsTheFailedGate_andKeepsWhoWhyAndTheCountsAccepted_besideTheScan() {
        var services = fixture();
        LedgerStore store = services.ledgerStore();
        services.ledger().record(push("scan-1", "2026-11-20T09:00:00Z", "wp-6.4-v1", digest(8)));
        store.recordVerification(
                "wordpress",
                digest(8),
                new ImageRecord.Verification(
                        ImageVerdict.VERIFIED,
                        "6.4",
                        "6.4.3",
                        "ok",
                        1,
                        2,
                        Instant.parse("2026-11-20T09:00:05Z")));
        store.recordScan(
                "wordpress",
                digest(8),
                java.util.Map.of("CRITICAL", 2, "HIGH", 1),
                true,
                Instant.parse("2026-11-20T09:01:00Z"));
        assertThat(store.image("wordpress", digest(8)).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.FAILED_SCAN);

        store.acceptScan(
                "wordpress",
                digest(8),
                new ImageRecord.ScanAcceptance(
                        ImageRecord.ScanAcceptance.How.OPERATOR,
                        "alice",
                        "CVE-2026-1 is not reachable in our build, ticket 7",
                        java.util.Map.of("CRITICAL", 2, "HIGH", 1),
                        Instant.parse("2026-11-20T10:00:00Z")),
                false);

        ImageRecord r = store.image("wordpress", digest(8)).orElseThrow();
        assertThat(r.scanFailed()).isFalse();
        assertThat(r.verdict()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(r.scanCounts()).containsEntry("CRITICAL", 2);
        assertThat(r.scanAcceptance().how()).isEqualTo(ImageRecord.ScanAcceptance.How.OPERATOR);
        assertThat(r.scanAcceptance().by()).isEqualTo("alice");
        assertThat(r.scanAcceptance().reason()).contains("ticket 7");
        assertThat(r.scanAcceptance().counts())
                .containsEntry("CRITICAL", 2)
                .containsEntry("HIGH", 1);
        assertThat(r.scanAcceptance().at()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(r.tags()).containsExactly("wp-6.4-v1");

        store.acceptScan(
                "wordpress",
                digest(8),
                new ImageRecord.ScanAcceptance(
                        ImageRecord.ScanAcceptance.How.INSPECTOR_SUPPRESSED,
                        "Amazon Inspector",
                        "suppressed, then closed",
                        java.util.Map.of("CRITICAL", 3),
                        Instant.parse("2026-11-20T11:00:00Z")),
                true);
        ImageRecord again = store.image("wordpress", digest(8)).orElseThrow();
        assertThat(again.scanFailed())
                .as("an acceptance recorded while findings beyond it still fail")
                .isTrue();
        assertThat(again.scanAcceptance().how())
                .isEqualTo(ImageRecord.ScanAcceptance.How.INSPECTOR_SUPPRESSED);
        assertThat(again.scanAcceptance().counts())
                .containsExactly(java.util.Map.entry("CRITICAL", 3));
    }

    @Test
    void recordSignature_isReadBack_andReplacedByTheNextCheck_keepingThePushAndItsVerification() {
        var services = fixture();
        LedgerStore store = services.ledgerStore();
        services.ledger().record(push("signed-1", "2026-11-20T09:00:00Z", "wp-6.4-v1", digest(9)));
        store.recordVerification(
                "wordpress",
                digest(9),
                new ImageRecord.Verification(
                        ImageVerdict.VERIFIED,
                        "6.4",
                        "6.4.3",
                        "ok",
                        1,
                        2,
                        Instant.parse("2026-11-20T09:00:05Z")));
        store.recordSignature(
                "wordpress",
                digest(9),
                new ImageRecord.Signature(
                        "PENDING",
                        null,
                        "the registry is still signing",
                        null,
                        Instant.parse("2026-11-20T09:00:06Z")));
        assertThat(store.image("wordpress", digest(9)).orElseThrow().signature().state())
                .isEqualTo("PENDING");

        store.recordSignature(
                "wordpress",
                digest(9),
                new ImageRecord.Signature(
                        "SIGNED",
                        "arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm/v1",
                        null,
                        Instant.parse("2026-11-20T09:00:07Z"),
                        Instant.parse("2026-11-20T09:01:00Z")));

        ImageRecord r = store.image("wordpress", digest(9)).orElseThrow();
        assertThat(r.signature().signed()).isTrue();
        assertThat(r.signature().identity()).endsWith("/signing-profiles/qm/v1");
        assertThat(r.signature().reason()).isNull();
        assertThat(r.signature().signedAt()).isEqualTo(Instant.parse("2026-11-20T09:00:07Z"));
        assertThat(r.verdict()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(r.tags()).containsExactly("wp-6.4-v1");
    }

    @Test
    void prime_walksTheWritePathWithoutWriting_thenTheSameEventRecords() {
        var services = fixture();
        LedgerStore store = services.ledgerStore();
        ImageAction a = push("primed", "2026-11-20T09:00:00Z", "latest", digest(7));
        store.prime(ImageLedger.plan(a, null, List.of(), null));
        assertThat(store.head("wordpress", "latest")).isEmpty();
        assertThat(store.image("wordpress", digest(7))).isEmpty();
        assertThat(store.history("wordpress", "latest")).isEmpty();
        assertThat(services.ledger().record(a).duplicate())
                .as("priming left no marker behind")
                .isFalse();
        assertThat(store.head("wordpress", "latest")).isPresent();
    }

    @Test
    void record_whenDifferentEventsRaceOnOneTag_noEntryIsLostAndHeadIsNewest() throws Exception {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<ImageLedger.Result>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            ImageAction a =
                    push("race-" + i, "2026-11-20T09:00:0" + i + "Z", "latest", digest(100 + i));
            results.add(pool.submit(() -> ledger.record(a)));
        }
        for (Future<ImageLedger.Result> f : results) {
            assertThat(f.get().duplicate()).isFalse();
        }
        pool.shutdown();

        var history = services.ledgerStore().history("wordpress", "latest");
        assertThat(history).hasSize(writers);
        assertThat(services.ledgerStore().head("wordpress", "latest").orElseThrow().digest())
                .isEqualTo(digest(100 + writers - 1));
        long tagged =
                services.ledgerStore().images("wordpress").stream()
                        .filter(i -> i.tags().contains("latest"))
                        .count();
        assertThat(tagged).isEqualTo(1);
    }

    @Test
    void record_whenTagDeletedThenPushedWithOtherContent_isAMoveAndAlerts() {
        var services = fixture();
        var alerts = services.alerts();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "wp-6.4-v1", digest(1)));
        ledger.record(
                new ImageAction(
                        "d1",
                        Instant.parse("2026-11-20T10:00:00Z"),
                        ImageAction.Kind.DELETE,
                        true,
                        "wordpress",
                        digest(1),
                        "wp-6.4-v1",
                        null,
                        null));

        ImageLedger.Result again =
                ledger.record(push("p2", "2026-11-20T11:00:00Z", "wp-6.4-v1", digest(2)));

        assertThat(again.tagMoved()).isTrue();
        assertThat(again.tagEvent().previousDigest()).isEqualTo(digest(1));
        assertThat(alerts.published())
                .singleElement()
                .satisfies(a -> assertThat(a.message()).contains("deleted and pushed again"));
    }

    @Test
    void record_whenTagDeletedThenSameDigestPushedBack_isNotAMove() {
        var services = fixture();
        var alerts = services.alerts();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "t", digest(1)));
        ledger.record(
                new ImageAction(
                        "d1",
                        Instant.parse("2026-11-20T10:00:00Z"),
                        ImageAction.Kind.DELETE,
                        true,
                        "wordpress",
                        digest(1),
                        "t",
                        null,
                        null));

        ImageLedger.Result again =
                ledger.record(push("p2", "2026-11-20T11:00:00Z", "t", digest(1)));

        assertThat(again.tagMoved()).isFalse();
        assertThat(alerts.published()).isEmpty();
        assertThat(services.ledgerStore().image("wordpress", digest(1)).orElseThrow().tags())
                .containsExactly("t");
    }

    @Test
    void record_whenDigestDeleted_everyTagPointingAtItIsCleared() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "a", digest(7)));
        ledger.record(push("p2", "2026-11-20T09:00:01Z", "b", digest(7)));

        ledger.record(
                new ImageAction(
                        "d1",
                        Instant.parse("2026-11-21T00:00:00Z"),
                        ImageAction.Kind.DELETE,
                        true,
                        "wordpress",
                        digest(7),
                        "",
                        null,
                        null));

        var store = services.ledgerStore();
        assertThat(store.head("wordpress", "a").orElseThrow().digest()).isNull();
        assertThat(store.head("wordpress", "b").orElseThrow().digest()).isNull();
        assertThat(store.image("wordpress", digest(7)).orElseThrow().deleted()).isTrue();
    }

    private static ImageAction deleteDigest(String id, String at, String digest) {
        return new ImageAction(
                id,
                Instant.parse(at),
                ImageAction.Kind.DELETE,
                true,
                "wordpress",
                digest,
                "",
                null,
                null);
    }

    @Test
    void record_whenDigestDeleteArrivesBeforeAnEarlierPush_theImageStaysDeleted() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p0", "2026-11-20T08:00:00Z", "t", digest(9)));
        ledger.record(deleteDigest("d1", "2026-11-20T10:00:00Z", digest(9)));

        ledger.record(
                push(
                        "p1-late",
                        "2026-11-20T09:00:00Z",
                        "t",
                        digest(9))); // happened before the delete

        var store = services.ledgerStore();
        assertThat(store.image("wordpress", digest(9)).orElseThrow().deleted()).isTrue();
        assertThat(store.head("wordpress", "t").orElseThrow().digest()).isNull();
        assertThat(store.history("wordpress", "t"))
                .anySatisfy(
                        e -> {
                            assertThat(e.eventId()).isEqualTo("p1-late");
                            assertThat(e.outOfOrder()).isTrue();
                        });
    }

    @Test
    void record_whenPushedAgainAfterTheDelete_theImageLivesAgain() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p0", "2026-11-20T08:00:00Z", "t", digest(10)));
        ledger.record(deleteDigest("d1", "2026-11-20T10:00:00Z", digest(10)));

        ledger.record(push("p2", "2026-11-20T11:00:00Z", "t", digest(10)));

        assertThat(services.ledgerStore().image("wordpress", digest(10)).orElseThrow().deleted())
                .isFalse();
        assertThat(services.ledgerStore().head("wordpress", "t").orElseThrow().digest())
                .isEqualTo(digest(10));
    }

    @Test
    void record_whenAnOldDigestDeleteArrivesAfterANewerPush_doesNotBuryTheImage() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p2", "2026-11-20T11:00:00Z", "t", digest(11)));

        ledger.record(deleteDigest("d1-late", "2026-11-20T10:00:00Z", digest(11)));

        assertThat(services.ledgerStore().image("wordpress", digest(11)).orElseThrow().deleted())
                .isFalse();
        assertThat(services.ledgerStore().head("wordpress", "t").orElseThrow().digest())
                .isEqualTo(digest(11));
    }

    @Test
    void record_whenADigestWithSixtyTagsIsDeleted_everyTagIsClearedAndTheEventCountsOnce() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        for (int i = 0; i < 60; i++) {
            ledger.record(push("p" + i, "2026-11-20T09:00:00Z", "tag-" + i, digest(12)));
        }

        ImageLedger.Result first =
                ledger.record(deleteDigest("d-many", "2026-11-21T00:00:00Z", digest(12)));
        ImageLedger.Result again =
                ledger.record(deleteDigest("d-many", "2026-11-21T00:00:00Z", digest(12)));

        var store = services.ledgerStore();
        assertThat(first.duplicate()).isFalse();
        assertThat(again.duplicate()).isTrue();
        assertThat(store.image("wordpress", digest(12)).orElseThrow().deleted()).isTrue();
        for (int i = 0; i < 60; i++) {
            assertThat(store.head("wordpress", "tag-" + i).orElseThrow().digest())
                    .as("tag-" + i)
                    .isNull();
            assertThat(store.history("wordpress", "tag-" + i)).hasSize(2);
        }
    }

    private static ImageAction storageClass(
            String id, String at, StorageClass target, String digest) {
        return new ImageAction(
                id,
                Instant.parse(at),
                ImageAction.Kind.UPDATE_STORAGE_CLASS,
                true,
                "wordpress",
                digest,
                "",
                "application/vnd.oci.image.manifest.v1+json",
                null,
                target);
    }

    @Test
    void
            record_whenArchivedThenRestored_theImageCarriesTheNewestClass_itsTagsStay_andTheHistoryKeepsBoth() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        LedgerStore store = services.ledgerStore();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "wp-6.4-v1", digest(20)));

        ImageLedger.Result archived =
                ledger.record(
                        storageClass(
                                "a1", "2026-12-01T00:00:00Z", StorageClass.ARCHIVE, digest(20)));
        assertThat(store.image("wordpress", digest(20)).orElseThrow().archivedInEcr()).isTrue();
        ledger.record(
                storageClass("r1", "2026-12-02T00:00:00Z", StorageClass.STANDARD, digest(20)));

        ImageRecord image = store.image("wordpress", digest(20)).orElseThrow();
        assertThat(archived.storageEvent().storageClass()).isEqualTo(StorageClass.ARCHIVE);
        assertThat(image.storage())
                .isEqualTo(
                        new ImageRecord.Storage(
                                StorageClass.STANDARD, Instant.parse("2026-12-02T00:00:00Z")));
        assertThat(image.tags()).containsExactly("wp-6.4-v1");
        assertThat(image.lastPushedAt()).isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(store.head("wordpress", "wp-6.4-v1").orElseThrow().digest())
                .isEqualTo(digest(20));
        assertThat(store.storageHistory("wordpress", digest(20)))
                .extracting(StorageEvent::eventId)
                .containsExactly("r1", "a1");
        assertThat(store.images("wordpress")).as("the history is no image").hasSize(1);
    }

    @Test
    void
            record_whenAnOlderRestoreArrivesAfterANewerArchive_theDigestStaysArchived_andTheDuplicateCountsOnce() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        LedgerStore store = services.ledgerStore();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "t", digest(21)));
        ledger.record(storageClass("a2", "2026-12-03T00:00:00Z", StorageClass.ARCHIVE, digest(21)));

        ImageLedger.Result late =
                ledger.record(
                        storageClass(
                                "r1", "2026-12-02T00:00:00Z", StorageClass.STANDARD, digest(21)));
        ImageLedger.Result again =
                ledger.record(
                        storageClass(
                                "a2", "2026-12-03T00:00:00Z", StorageClass.ARCHIVE, digest(21)));

        assertThat(late.storageEvent().outOfOrder()).isTrue();
        assertThat(again.duplicate()).isTrue();
        assertThat(store.image("wordpress", digest(21)).orElseThrow().storage())
                .isEqualTo(
                        new ImageRecord.Storage(
                                StorageClass.ARCHIVE, Instant.parse("2026-12-03T00:00:00Z")));
        assertThat(store.storageHistory("wordpress", digest(21)))
                .hasSize(2)
                .filteredOn(StorageEvent::outOfOrder)
                .singleElement()
                .extracting(StorageEvent::eventId)
                .isEqualTo("r1");
    }

    @Test
    void
            apply_whenANewerClassCommittedAfterThePlan_refusesTheOlderChange_andThePlanMadeAgainKeepsTheNewer() {
        var services = fixture();
        LedgerStore store = services.ledgerStore();
        services.ledger().record(push("p1", "2026-11-20T09:00:00Z", "t", digest(22)));
        ImageAction older =
                storageClass("r-old", "2026-12-01T00:00:00Z", StorageClass.STANDARD, digest(22));
        LedgerWrite planned =
                ImageLedger.plan(
                        older, null, List.of(), store.image("wordpress", digest(22)).orElseThrow());
        services.ledger()
                .record(
                        storageClass(
                                "a-new",
                                "2026-12-02T00:00:00Z",
                                StorageClass.ARCHIVE,
                                digest(22))); // commits in between

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.apply(planned))
                .isInstanceOf(LedgerStore.ConcurrentChangeException.class);
        assertThat(store.image("wordpress", digest(22)).orElseThrow().archivedInEcr()).isTrue();

        ImageLedger.Result result = services.ledger().record(older);
        assertThat(result.storageEvent().outOfOrder()).isTrue();
        assertThat(store.image("wordpress", digest(22)).orElseThrow().archivedInEcr()).isTrue();
    }

    @Test
    void record_whenTheArchivedDigestIsPushedAgain_itIsStandardAsOfThePush() {
        var services = fixture();
        ImageLedger ledger = services.ledger();
        ledger.record(push("p1", "2026-11-20T09:00:00Z", "t", digest(23)));
        ledger.record(storageClass("a1", "2026-12-01T00:00:00Z", StorageClass.ARCHIVE, digest(23)));

        ledger.record(push("p2", "2026-12-05T00:00:00Z", "t", digest(23)));

        ImageRecord image = services.ledgerStore().image("wordpress", digest(23)).orElseThrow();
        assertThat(image.storage())
                .isEqualTo(
                        new ImageRecord.Storage(
                                StorageClass.STANDARD, Instant.parse("2026-12-05T00:00:00Z")));
        assertThat(services.ledgerStore().storageHistory("wordpress", digest(23)))
                .first()
                .satisfies(e -> assertThat(e.action()).isEqualTo(ImageAction.Kind.PUSH));
    }

    @Test
    void record_whenADigestTheLedgerNeverSawIsArchived_itIsRecordedWithItsClassAlone() {
        var services = fixture();
        services.ledger()
                .record(
                        storageClass(
                                "a1", "2026-12-01T00:00:00Z", StorageClass.ARCHIVE, digest(24)));

        ImageRecord image = services.ledgerStore().image("wordpress", digest(24)).orElseThrow();
        assertThat(image.archivedInEcr()).isTrue();
        assertThat(image.tags()).isEmpty();
        assertThat(image.deleted()).isFalse();
    }
}
