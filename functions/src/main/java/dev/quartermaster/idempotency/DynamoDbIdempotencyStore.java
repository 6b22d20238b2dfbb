package dev.quartermaster.idempotency;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.num;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Idempotency records in the ledger table: {@code IDEMPOTENCY#<key> / IDEMPOTENCY} with {@code
 * status} (IN_PROGRESS, COMPLETED), {@code lockedUntil} (epoch seconds; 0 once released), {@code
 * failures} (holders that gave up) and {@code expiresAt} (the table's TTL attribute). Every
 * transition is one conditional write.
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
        try {
            var updated =
                    dynamo.updateItem(
                                    b ->
                                            b.tableName(table)
                                                    .key(key(k))
                                                    .updateExpression(
                                                            "SET #s = :p, lockedUntil = :l, expiresAt = :e")
                                                    .conditionExpression(
                                                            "attribute_not_exists(pk) OR (#s = :p AND lockedUntil < :now)")
                                                    .expressionAttributeNames(
                                                            Map.of("#s", "status"))
                                                    .expressionAttributeValues(
                                                            Map.of(
                                                                    ":p",
                                                                    s(State.IN_PROGRESS.name()),
                                                                    ":now",
                                                                    n(now.getEpochSecond()),
                                                                    ":l",
                                                                    n(
                                                                            now.plus(lockFor)
                                                                                    .getEpochSecond()),
                                                                    ":e",
                                                                    n(
                                                                            now.plus(KEEP)
                                                                                    .getEpochSecond())))
                                                    .returnValues(ReturnValue.ALL_NEW))
                            .attributes();
            return Claim.acquired((int) num(updated, "failures", 0));
        } catch (ConditionalCheckFailedException taken) {
            var existing =
                    dynamo.getItem(b -> b.tableName(table).key(key(k)).consistentRead(true)).item();
            if (existing == null || existing.isEmpty()) {
                return begin(k, lockFor); // gone between our write and our read: try again
            }
            boolean done = State.COMPLETED.name().equals(str(existing, "status"));
            return new Claim(
                    done ? State.COMPLETED : State.IN_PROGRESS,
                    str(existing, "result"),
                    (int) num(existing, "failures", 0));
        }
    }

    @Override
    public void complete(String k, String result) {
        String r =
                result == null
                        ? ""
                        : result.length() > MAX_RESULT_CHARS
                                ? result.substring(0, MAX_RESULT_CHARS)
                                : result;
        dynamo.updateItem(
                b ->
                        b.tableName(table)
                                .key(key(k))
                                .updateExpression(
                                        "SET #s = :c, #r = :r, expiresAt = :e REMOVE lockedUntil")
                                .expressionAttributeNames(Map.of("#s", "status", "#r", "result"))
                                .expressionAttributeValues(
                                        Map.of(
                                                ":c",
                                                s(State.COMPLETED.name()),
                                                ":r",
                                                s(r),
                                                ":e",
                                                n(clock.instant().plus(KEEP).getEpochSecond()))));
    }

    @Override
    public void release(String k) {
        try {
            // the lock goes (lockedUntil 0: any retry may take it), the failure is counted
            dynamo.updateItem(
                    b ->
                            b.tableName(table)
                                    .key(key(k))
                                    .updateExpression(
                                            "SET lockedUntil = :zero, failures = if_not_exists(failures, :zero) + :one")
                                    .conditionExpression("#s = :p")
                                    .expressionAttributeNames(Map.of("#s", "status"))
                                    .expressionAttributeValues(
                                            Map.of(
                                                    ":p",
                                                    s(State.IN_PROGRESS.name()),
                                                    ":zero",
                                                    n(0),
                                                    ":one",
                                                    n(1))));
        } catch (ConditionalCheckFailedException alreadyDone) {
            // completed by now, or gone: nothing to give up
        }
    }
}
