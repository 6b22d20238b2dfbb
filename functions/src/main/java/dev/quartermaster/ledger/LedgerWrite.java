package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;

import java.util.List;

/**
 * Everything one event changes in the ledger, applied atomically or not at all, together with the
 * marker that makes the event count once. {@code failure} (a failed push or delete, kept apart) and
 * {@code alert} (to deliver at least once) are null when there is none.
 */
public record LedgerWrite(
        ImageAction action,
        List<HeadChange> heads,
        List<TagEvent> history,
        List<ImageChange> images,
        FailedAction failure,
        Alert alert) {

    /** Move a tag's head; {@code expected} null means "the tag must have no head yet". */
    public record HeadChange(TagHead expected, TagHead next) {
    }

    /**
     * Changes to one digest's image item. {@code guard} keeps an event from undoing a newer one that
     * committed in between: a push must not resurrect an image deleted after it, a delete must not bury
     * an image pushed again after it (the store turns it into a condition on the item).
     */
    public record ImageChange(String repository, String digest, String addTag, String removeTag,
                              boolean pushed, boolean deleted, Guard guard, java.time.Instant at) {
        public ImageChange(String repository, String digest, String addTag, String removeTag, boolean pushed, boolean deleted) {
            this(repository, digest, addTag, removeTag, pushed, deleted, Guard.NONE, null);
        }
    }

    /** What must still hold for an image change when it is written. */
    public enum Guard { NONE, NOT_DELETED_AFTER, NOT_PUSHED_AFTER }
}
