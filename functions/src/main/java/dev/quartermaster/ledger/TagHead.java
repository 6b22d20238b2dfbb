package dev.quartermaster.ledger;

import java.time.Instant;

/**
 * Where a tag points now. {@code digest} is null after the tag was deleted. {@code version} guards
 * concurrent writers (optimistic locking with a conditional write).
 */
public record TagHead(String repository, String tag, String digest, Instant at, long version, String eventId) {
}
