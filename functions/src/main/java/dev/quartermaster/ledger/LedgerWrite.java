package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;

import java.util.List;
import java.util.Optional;

/**
 * Everything one event changes in the ledger, applied atomically or not at all, together with the
 * marker that makes the event count once.
 */
public record LedgerWrite(
        ImageAction action,
        List<HeadChange> heads,
        List<TagEvent> history,
        List<ImageChange> images,
        Optional<FailedAction> failure,
        Optional<Alert> alert) {

    /** Move a tag's head; {@code expected} empty means "the tag must have no head yet". */
    public record HeadChange(Optional<TagHead> expected, TagHead next) {
    }

    /** Changes to one digest's image item. */
    public record ImageChange(String repository, String digest, String addTag, String removeTag,
                              boolean pushed, boolean deleted) {
    }
}
