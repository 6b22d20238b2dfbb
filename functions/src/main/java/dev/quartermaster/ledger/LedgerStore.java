package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ledger's storage port (DynamoDB in AWS and in tests, via DynamoDB Local). */
public interface LedgerStore {

    Optional<TagHead> head(String repository, String tag);

    Optional<ImageRecord> image(String repository, String digest);

    /** Tag history, newest first. */
    List<TagEvent> history(String repository, String tag);

    List<ImageRecord> images(String repository);

    List<FailedAction> failures(String repository);

    /** A digest's storage-class history (archived, restored), newest first. */
    List<StorageEvent> storageHistory(String repository, String digest);

    /**
     * Applies the write atomically with the event's processed-marker.
     *
     * @throws DuplicateEventException the event was applied before
     * @throws ConcurrentChangeException a head moved since it was read; read again and retry
     */
    void apply(LedgerWrite write);

    /** An alert decided while applying {@code eventId} and not yet confirmed as delivered. */
    Optional<Alert> pendingAlert(String eventId);

    void alertDelivered(String eventId);

    void recordVerification(
            String repository, String digest, ImageRecord.Verification verification);

    void recordScan(
            String repository,
            String digest,
            Map<String, Integer> counts,
            boolean failed,
            Instant at);

    /**
     * Records what lifts (or lifted) a failed scan gate on a digest, who, why and which counts,
     * with the gate's state that follows ({@code failed}: false when the acceptance lifts it, true
     * when findings beyond it still fail the digest).
     */
    void acceptScan(
            String repository,
            String digest,
            ImageRecord.ScanAcceptance acceptance,
            boolean failed);

    /**
     * What the image archive found for a digest (written by the archiver and, after a check, by the
     * scrub).
     */
    void recordArchive(String repository, String digest, ImageRecord.Archive archive);

    /** Records the signature gate's verdict on a digest (replacing the previous one). */
    void recordSignature(String repository, String digest, ImageRecord.Signature signature);

    /** Marks a unit of work (e.g. "verify#eventId") done; false if it was already marked. */
    boolean markDone(String key);

    boolean isDone(String key);

    void linkChildren(String repository, String indexDigest, List<String> childDigests);

    /**
     * Walks {@code write}'s path once without writing anything (SnapStart priming): its transaction
     * is built as a record would build it, and not sent (priming makes read calls only).
     */
    default void prime(LedgerWrite write) {}

    class DuplicateEventException extends RuntimeException {
        public DuplicateEventException(String eventId) {
            super("event " + eventId + " was already recorded");
        }
    }

    class ConcurrentChangeException extends RuntimeException {
        public ConcurrentChangeException(String message) {
            super(message);
        }
    }
}
