package dev.quartermaster.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** What the ledger knows about one digest of a repository. */
public record ImageRecord(
        String repository,
        String digest,
        String manifestMediaType,
        String artifactMediaType,
        Instant firstPushedAt,
        Instant lastPushedAt,
        Set<String> tags,
        boolean deleted,
        String indexDigest,
        Verification verification,
        Map<String, Integer> scanCounts,
        boolean scanFailed,
        Instant deletedAt) {

    /** The verdict a person reads: a failed scan gate overrides the version check. */
    public String verdict() {
        if (scanFailed) {
            return "FAILED_SCAN";
        }
        return verification == null ? null : verification.verdict();
    }

    /** The verifier's last word on this digest; null fields mean "not verified yet". */
    public record Verification(String verdict, String promised, String found, String reason,
                               long bytesFetched, long imageBytes, Instant at) {
    }
}
