package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;

import java.time.Instant;
import java.util.List;

/**
 * Everything one event changes in the ledger, applied atomically or not at all, together with the
 * marker that makes the event count once. {@code failure} (a failed push or delete, kept apart) and
 * {@code alert} (to deliver at least once) are null when there is none; {@code storageHistory}
 * holds the storage-class entries the event adds.
 */
public record LedgerWrite(
        ImageAction action,
        List<HeadChange> heads,
        List<TagEvent> history,
        List<ImageChange> images,
        FailedAction failure,
        Alert alert,
        List<StorageEvent> storageHistory) {

    /** A write that changes no storage class. */
    public LedgerWrite(
            ImageAction action,
            List<HeadChange> heads,
            List<TagEvent> history,
            List<ImageChange> images,
            FailedAction failure,
            Alert alert) {
        this(action, heads, history, images, failure, alert, List.of());
    }

    /** Move a tag's head; {@code expected} null means "the tag must have no head yet". */
    public record HeadChange(TagHead expected, TagHead next) {}

    /**
     * Changes to one digest's image item. {@code guard} keeps an event from undoing a newer one
     * that committed in between: a push must not resurrect an image deleted after it, a delete must
     * not bury an image pushed again after it (the store turns it into a condition on the item). A
     * non-null {@code storageClass} becomes the digest's current class as of {@code at}, on the
     * condition that no class recorded after {@code at} is there (an older event never overwrites a
     * newer one).
     */
    public record ImageChange(
            String repository,
            String digest,
            String addTag,
            String removeTag,
            boolean pushed,
            boolean deleted,
            Guard guard,
            Instant at,
            StorageClass storageClass) {
        public ImageChange(
                String repository,
                String digest,
                String addTag,
                String removeTag,
                boolean pushed,
                boolean deleted) {
            this(repository, digest, addTag, removeTag, pushed, deleted, Guard.NONE, null, null);
        }

        public ImageChange(
                String repository,
                String digest,
                String addTag,
                String removeTag,
                boolean pushed,
                boolean deleted,
                Guard guard,
                Instant at) {
            this(repository, digest, addTag, removeTag, pushed, deleted, guard, at, null);
        }

        public ImageChange {
            if (storageClass != null && at == null) {
                throw new IllegalArgumentException(
                        "a storage-class change needs the time of its event");
            }
        }

        /** This change, also making {@code storageClass} the digest's class as of {@code at}. */
        ImageChange withStorageClass(StorageClass storageClass, Instant at) {
            return new ImageChange(
                    repository,
                    digest,
                    addTag,
                    removeTag,
                    pushed,
                    deleted,
                    guard,
                    at,
                    storageClass);
        }
    }

    /** What must still hold for an image change when it is written. */
    public enum Guard {
        NONE,
        NOT_DELETED_AFTER,
        NOT_PUSHED_AFTER
    }
}
