package dev.quartermaster.idempotency;

import dev.quartermaster.common.Platform;

import java.time.Clock;

/**
 * The idempotency store's composition root: in-progress and completed records on the platform's
 * table, one per container.
 */
public final class IdempotencyRoot {
    private IdempotencyRoot() {}

    public static IdempotencyStore store(Platform p) {
        return p.shared(
                IdempotencyStore.class,
                x -> new DynamoDbIdempotencyStore(x.dynamoDb(), x.table(), Clock.systemUTC()));
    }
}
