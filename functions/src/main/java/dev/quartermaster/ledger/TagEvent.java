package dev.quartermaster.ledger;

import java.time.Instant;

/** One entry of a tag's history: the tag was pushed to, or deleted from, a digest. */
public record TagEvent(
        String repository,
        String tag,
        Instant at,
        ImageAction.Kind action,
        String digest,
        String previousDigest,
        boolean moved,
        boolean outOfOrder,
        String eventId) {}
