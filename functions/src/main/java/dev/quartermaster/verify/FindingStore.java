package dev.quartermaster.verify;

import dev.quartermaster.events.Inspector2Finding;

import java.util.List;
import java.util.Optional;

/**
 * Amazon Inspector's findings per digest (DynamoDB: the ledger table; an in-memory twin for unit
 * tests). Inspector sends a finding again whenever it changes: the newest {@code updatedAt} wins,
 * an older version arriving late changes nothing.
 */
public interface FindingStore {
    /**
     * Whether the version was stored, and the version it replaced (empty: the finding is new to
     * this digest).
     */
    record Recorded(boolean applied, Optional<Inspector2Finding> previous) {}

    Recorded record(Inspector2Finding finding);

    /** Every finding recorded on the digest (at most {@value #MAX_PER_DIGEST} read). */
    List<Inspector2Finding> findings(String repository, String digest);

    int MAX_PER_DIGEST = 2000;
}
