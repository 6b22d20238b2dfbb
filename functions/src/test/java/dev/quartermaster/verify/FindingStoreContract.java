package dev.quartermaster.verify;

import dev.quartermaster.events.Inspector2Finding;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every finding store does: findings in any order or duplicated end as the newest version of
 * each.
 */
abstract class FindingStoreContract {
    static final String DIGEST = "sha256:" + "f".repeat(64);
    static final String ARN = "arn:aws:inspector2:us-east-1:123456789012:finding/0a1b2c3d4e5f";
    static final Instant T = Instant.parse("2026-11-30T10:00:00.250Z");

    protected abstract FindingStore store();

    static Inspector2Finding finding(String arn, String status, Instant updated) {
        return new Inspector2Finding(
                arn,
                "wordpress",
                DIGEST,
                "CRITICAL",
                status,
                "CVE-2026-0001",
                "openssl: something",
                updated);
    }

    @Test
    void theNewestVersionWinsWhateverTheOrder() {
        var closed = finding(ARN, "CLOSED", T.plusSeconds(3600));
        var active = finding(ARN, "ACTIVE", T);
        assertTrue(store().record(closed).applied());
        assertTrue(
                store().record(closed).previous().isEmpty() || !store().record(closed).applied(),
                "a duplicate is not applied");
        assertFalse(
                store().record(active).applied(),
                "the older ACTIVE version arrives late and changes nothing");
        assertEquals("CLOSED", store().findings("wordpress", DIGEST).get(0).status());
        var reopened = store().record(finding(ARN, "ACTIVE", T.plusSeconds(7200)));
        assertTrue(reopened.applied());
        assertEquals(
                "CLOSED",
                reopened.previous().orElseThrow().status(),
                "the replaced version is returned");
        assertEquals(
                T.plusSeconds(3600),
                reopened.previous().orElseThrow().updatedAt(),
                "to the millisecond");
        assertTrue(
                store().record(finding(ARN + "ff", "ACTIVE", T)).previous().isEmpty(),
                "another finding is new");
        assertEquals(2, store().findings("wordpress", DIGEST).size());
    }
}
