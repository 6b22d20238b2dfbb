package dev.quartermaster.ledger;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure planning of ledger writes: unit tier, no store at all. */
class ImageLedgerTest {
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

    @Test
    void plan_whenTagHasNoHead_createsHeadVersionOneWithoutAlert() {
        LedgerWrite w =
                ImageLedger.plan(
                        push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), null, List.of());

        assertThat(w.heads())
                .singleElement()
                .satisfies(
                        h -> {
                            assertThat(h.expected()).isNull();
                            assertThat(h.next().version()).isEqualTo(1);
                        });
        assertThat(w.alert()).isNull();
    }

    @Test
    void plan_whenEventOlderThanHead_keepsHeadAndMarksOutOfOrder() {
        TagHead head =
                new TagHead(
                        "wordpress",
                        "t",
                        digest(2),
                        digest(2),
                        Instant.parse("2026-11-21T00:00:00Z"),
                        3,
                        "e2");

        LedgerWrite w =
                ImageLedger.plan(
                        push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), head, List.of());

        assertThat(w.heads()).isEmpty();
        assertThat(w.history()).singleElement().extracting(TagEvent::outOfOrder).isEqualTo(true);
        assertThat(w.alert()).isNull();
    }

    @Test
    void plan_whenSameDigestPushedAgain_isNotAMove() {
        TagHead head =
                new TagHead(
                        "wordpress",
                        "t",
                        digest(1),
                        digest(1),
                        Instant.parse("2026-11-19T00:00:00Z"),
                        1,
                        "e0");

        LedgerWrite w =
                ImageLedger.plan(
                        push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), head, List.of());

        assertThat(w.history().get(0).moved()).isFalse();
        assertThat(w.alert()).isNull();
        assertThat(w.heads().get(0).next().version()).isEqualTo(2);
    }

    private static ImageAction storage(String id, String at, StorageClass target, String digest) {
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

    private static ImageRecord image(String digest, StorageClass storageClass, String at) {
        return ImageRecord.builder("wordpress", digest)
                .pushed(
                        Instant.parse("2026-11-01T00:00:00Z"),
                        Instant.parse("2026-11-01T00:00:00Z"))
                .tags(java.util.Set.of("t"))
                .storage(
                        storageClass == null
                                ? null
                                : new ImageRecord.Storage(storageClass, Instant.parse(at)))
                .build();
    }

    @Test
    void
            plan_whenArchived_setsTheDigestsStorageClassAsOfTheEvent_touchesNoTag_andAddsAHistoryEntry() {
        LedgerWrite w =
                ImageLedger.plan(
                        storage("a1", "2026-11-20T09:00:00Z", StorageClass.ARCHIVE, digest(1)),
                        null,
                        List.of(),
                        image(digest(1), null, null));

        assertThat(w.heads()).isEmpty();
        assertThat(w.history()).isEmpty();
        assertThat(w.images())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.storageClass()).isEqualTo(StorageClass.ARCHIVE);
                            assertThat(c.at()).isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
                            assertThat(c.pushed()).isFalse();
                            assertThat(c.deleted()).isFalse();
                        });
        assertThat(w.storageHistory())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.storageClass()).isEqualTo(StorageClass.ARCHIVE);
                            assertThat(e.outOfOrder()).isFalse();
                        });
        assertThat(w.alert()).isNull();
    }

    @Test
    void
            plan_whenARestoreOlderThanTheRecordedArchiveArrivesLate_keepsTheArchive_andRecordsTheRestoreAsOutOfOrder() {
        ImageRecord archived = image(digest(1), StorageClass.ARCHIVE, "2026-11-20T10:00:00Z");

        LedgerWrite w =
                ImageLedger.plan(
                        storage("r0", "2026-11-20T09:00:00Z", StorageClass.STANDARD, digest(1)),
                        null,
                        List.of(),
                        archived);

        assertThat(w.images()).as("the current class stays ARCHIVE").isEmpty();
        assertThat(w.storageHistory())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.storageClass()).isEqualTo(StorageClass.STANDARD);
                            assertThat(e.outOfOrder()).isTrue();
                        });
    }

    @Test
    void plan_whenTheArchivedDigestIsPushedAgainAfterItsArchive_restoresItToStandardAsOfThePush() {
        ImageRecord archived = image(digest(1), StorageClass.ARCHIVE, "2026-11-20T10:00:00Z");

        LedgerWrite later =
                ImageLedger.plan(
                        push("p2", "2026-11-21T00:00:00Z", "t", digest(1)),
                        null,
                        List.of(),
                        archived);
        LedgerWrite earlier =
                ImageLedger.plan(
                        push("p0", "2026-11-19T00:00:00Z", "t", digest(1)),
                        null,
                        List.of(),
                        archived);

        assertThat(later.images())
                .filteredOn(c -> c.digest().equals(digest(1)))
                .singleElement()
                .extracting(LedgerWrite.ImageChange::storageClass)
                .isEqualTo(StorageClass.STANDARD);
        assertThat(later.storageHistory())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.storageClass()).isEqualTo(StorageClass.STANDARD);
                            assertThat(e.action()).isEqualTo(ImageAction.Kind.PUSH);
                        });
        assertThat(earlier.images()).allSatisfy(c -> assertThat(c.storageClass()).isNull());
        assertThat(earlier.storageHistory()).isEmpty();
    }
}
