package dev.quartermaster.ledger;

import java.time.Instant;

/**
 * Where a tag points now. {@code digest} is null after the tag was deleted; {@code lastDigest} is
 * the digest it pointed at most recently, deleted or not, so a delete followed by a push of other
 * content (the only way to change an immutable tag) is still seen as a move. {@code version} guards
 * concurrent writers (optimistic locking with a conditional write).
 */
public record TagHead(
        String repository,
        String tag,
        String digest,
        String lastDigest,
        Instant at,
        long version,
        String eventId) {}
