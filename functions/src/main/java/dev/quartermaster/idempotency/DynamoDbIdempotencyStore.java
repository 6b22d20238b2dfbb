package dev.quartermaster.idempotency;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Idempotency records in the ledger table: {@code IDEMPOTENCY#<key> / IDEMPOTENCY} with
 * {@code status} (IN_PROGRESS, COMPLETED), {@code lockedUntil} (epoch seconds) and {@code expiresAt}
 * (the table's TTL attribute). Every transition is one conditional write.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {
    static final Duration KEEP = Duration.ofDays(90);
    private static final int MAX_RESULT_CHARS = 2048;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    private static Map<String, AttributeValue> key(String k) {
        return Map.of("pk", s("IDEMPOTENCY#" + k), "sk", s("IDEMPOTENCY"));
    }

    @Override
    public Claim begin(String k, Duration lockFor) {
        Instant now = clock.instant();
        Map<String, AttributeValue> item = new HashMap<>(key(k));
        item.put("status", s(State.IN_PROGRESS.name()));
        item.put("lockedUntil", n(now.plus(lockFor).getEpochSecond()));
        item.put("expiresAt", n(now.plus(KEEP).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR (#s = :p AND lockedUntil < :now)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":p", s(State.IN_PROGRESS.name()), ":now", n(now.getEpochSecond()))));
            return Claim.acquired();
        } catch (ConditionalCheckFailedException taken) {
            var existing = dynamo.getItem(b -> b.tableName(table).key(key(k)).consistentRead(true)).item();
            if (existing == null || existing.isEmpty()) {
                return begin(k, lockFor); // released between our write and our read: try again
            }
            boolean done = State.COMPLETED.name().equals(str(existing, "status"));
            return new Claim(done ? State.COMPLETED : State.IN_PROGRESS, str(existing, "result"));
        }
    }

    @Override
    public void complete(String k, String result) {
        Map<String, AttributeValue> item = new HashMap<>(key(k));
        item.put("status", s(State.COMPLETED.name()));
        item.put("expiresAt", n(clock.instant().plus(KEEP).getEpochSecond()));
        if (result != null) {
            item.put("result", s(result.length() > MAX_RESULT_CHARS ? result.substring(0, MAX_RESULT_CHARS) : result));
        }
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public void release(String k) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(k)).conditionExpression("#s = :p")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":p", s(State.IN_PROGRESS.name()))));
        } catch (ConditionalCheckFailedException alreadyDone) {
            // completed by now, or gone: nothing to give up
        }
    }
}
