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
        return new ImageAction(id, Instant.parse(at), ImageAction.Kind.PUSH, true, "wordpress", digest, tag,
                "application/vnd.oci.image.manifest.v1+json", null);
    }

    @Test
    void plan_whenTagHasNoHead_createsHeadVersionOneWithoutAlert() {
        LedgerWrite w = ImageLedger.plan(push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), null, List.of());

        assertThat(w.heads()).singleElement().satisfies(h -> {
            assertThat(h.expected()).isNull();
            assertThat(h.next().version()).isEqualTo(1);
        });
        assertThat(w.alert()).isNull();
    }

    @Test
    void plan_whenEventOlderThanHead_keepsHeadAndMarksOutOfOrder() {
        TagHead head = new TagHead("wordpress", "t", digest(2), digest(2), Instant.parse("2026-11-21T00:00:00Z"), 3, "e2");

        LedgerWrite w = ImageLedger.plan(push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), head, List.of());

        assertThat(w.heads()).isEmpty();
        assertThat(w.history()).singleElement().extracting(TagEvent::outOfOrder).isEqualTo(true);
        assertThat(w.alert()).isNull();
    }

    @Test
    void plan_whenSameDigestPushedAgain_isNotAMove() {
        TagHead head = new TagHead("wordpress", "t", digest(1), digest(1), Instant.parse("2026-11-19T00:00:00Z"), 1, "e0");

        LedgerWrite w = ImageLedger.plan(push("e1", "2026-11-20T09:00:00Z", "t", digest(1)), head, List.of());

        assertThat(w.history().get(0).moved()).isFalse();
        assertThat(w.alert()).isNull();
        assertThat(w.heads().get(0).next().version()).isEqualTo(2);
    }
}
