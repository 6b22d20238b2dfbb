package dev.quartermaster.ledger;

/**
 * What the ledger records about a digest's checks. Severity order, best first: VERIFIED, NO_RULE,
 * UNVERIFIABLE, MISMATCH, FAILED_SCAN (a failed scan gate overrides the version check).
 */
public enum ImageVerdict {
    VERIFIED,
    NO_RULE,
    UNVERIFIABLE,
    MISMATCH,
    FAILED_SCAN;

    /** Verdicts a person must hear about. */
    public boolean alerts() {
        return this == UNVERIFIABLE || this == MISMATCH || this == FAILED_SCAN;
    }
}
