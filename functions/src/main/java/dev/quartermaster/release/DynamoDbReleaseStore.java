package dev.quartermaster.release;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.quartermaster.events.EventParser;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.common.DynamoItems.instant;
import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Releases in the ledger table:
 *
 * <pre>
 * RELEASE#&lt;app&gt;#&lt;host&gt;  &lt;requestedAtIso&gt;#&lt;commandId&gt;   kind, status, from/to digest, tag, who, restore point, reason, steps
 * RELEASECMD#&lt;commandId&gt; CMD                              points at the record (SSM status events carry only the id)
 * RELEASELOCK#&lt;app&gt;      LOCK                             the one release under way: holder, since, rollId, deadline, note
 * ROLL#&lt;app&gt;             &lt;startedAtIso&gt;#&lt;rollId&gt;         a rolling release, step by step (its hosts as JSON)
 * </pre>
 *
 * The lock is only ever written conditionally (Amazon DynamoDB API Reference: PutItem and
 * DeleteItem, ConditionExpression; a failed condition answers ConditionalCheckFailedException and,
 * with ReturnValuesOnConditionCheckFailure ALL_OLD, carries the item as it is; Developer Guide,
 * "Condition expressions": attribute_not_exists(pk) prevents overwriting an item).
 *
 * <p>Drift checks (kind CHECK) expire after a week.
 */
public final class DynamoDbReleaseStore implements ReleaseStore, RollStore {
    private static final Duration CHECK_TTL = Duration.ofDays(7);
    private final DynamoDbClient dynamo;
    private final String table;
    private final dev.quartermaster.common.CommandRecords records;

    public DynamoDbReleaseStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
        this.records = new dev.quartermaster.common.CommandRecords(dynamo, table, "RELEASECMD#");
    }

    private static String pk(String app, String host) {
        return "RELEASE#" + app + "#" + host;
    }

    private static String sk(ReleaseRecord r) {
        return r.requestedAt() + "#" + r.commandId();
    }

    @Override
    public boolean create(ReleaseRecord r) {
        return records.create(
                r.commandId(),
                toItem(r),
                r.kind() == ReleaseRecord.Kind.CHECK
                        ? Map.of("expiresAt", n(r.requestedAt().plus(CHECK_TTL).getEpochSecond()))
                        : Map.of());
    }

    @Override
    public Optional<ReleaseRecord> byCommandId(String commandId) {
        return records.byCommandId(commandId).map(DynamoDbReleaseStore::fromItem);
    }

    @Override
    public boolean settle(ReleaseRecord outcome) {
        return records.settle(toItem(outcome), ReleaseRecord.Status.RUNNING.name());
    }

    @Override
    public List<ReleaseRecord> list(String app, String host) {
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s(pk(app, host))))
                        .scanIndexForward(false)
                        .consistentRead(true)
                        .build();
        List<ReleaseRecord> out = new ArrayList<>();
        dynamo.queryPaginator(q).items().forEach(i -> out.add(fromItem(i)));
        return out;
    }

    private static void put(Map<String, AttributeValue> i, String name, Object v) {
        if (v != null) {
            i.put(name, s(v.toString()));
        }
    }

    private static Map<String, AttributeValue> toItem(ReleaseRecord r) {
        Map<String, AttributeValue> i = new HashMap<>();
        i.put("pk", s(pk(r.app(), r.host())));
        i.put("sk", s(sk(r)));
        put(i, "app", r.app());
        put(i, "host", r.host());
        put(i, "commandId", r.commandId());
        put(i, "kind", r.kind());
        put(i, "status", r.status());
        put(i, "repository", r.repository());
        put(i, "tag", r.tag());
        put(i, "toDigest", r.toDigest());
        put(i, "expectedVersion", r.expectedVersion());
        put(i, "fromDigest", r.fromDigest());
        put(i, "requestedBy", r.requestedBy());
        put(i, "requestedAt", r.requestedAt());
        put(i, "restorePoint", r.restorePoint());
        put(i, "overrideReason", r.overrideReason());
        put(i, "running", r.running());
        put(i, "runningVersion", r.runningVersion());
        put(i, "reason", r.reason());
        put(i, "steps", r.steps());
        put(i, "finishedAt", r.finishedAt());
        if (r.kind() == ReleaseRecord.Kind.CHECK) {
            i.put("expiresAt", n(r.requestedAt().plus(CHECK_TTL).getEpochSecond()));
        }
        return i;
    }

    private static ReleaseRecord fromItem(Map<String, AttributeValue> i) {
        return new ReleaseRecord(
                str(i, "app"),
                str(i, "host"),
                str(i, "commandId"),
                ReleaseRecord.Kind.valueOf(str(i, "kind")),
                ReleaseRecord.Status.valueOf(str(i, "status")),
                str(i, "repository"),
                str(i, "tag"),
                str(i, "toDigest"),
                str(i, "expectedVersion"),
                str(i, "fromDigest"),
                str(i, "requestedBy"),
                instant(i, "requestedAt"),
                str(i, "restorePoint"),
                str(i, "overrideReason"),
                str(i, "running"),
                str(i, "runningVersion"),
                str(i, "reason"),
                str(i, "steps"),
                instant(i, "finishedAt"));
    }

    private static Map<String, AttributeValue> lockKey(String app) {
        return Map.of("pk", s("RELEASELOCK#" + app), "sk", s("LOCK"));
    }

    private static Map<String, AttributeValue> lockItem(ReleaseLock l) {
        Map<String, AttributeValue> i = new HashMap<>(lockKey(l.app()));
        put(i, "app", l.app());
        put(i, "holder", l.holder());
        put(i, "since", l.since());
        put(i, "rollId", l.rollId());
        put(i, "deadline", l.deadline());
        put(i, "note", l.note());
        return i;
    }

    private static ReleaseLock lockFrom(Map<String, AttributeValue> i) {
        return new ReleaseLock(
                str(i, "app"),
                str(i, "holder"),
                instant(i, "since"),
                str(i, "rollId"),
                instant(i, "deadline"),
                str(i, "note"));
    }

    @Override
    public Optional<ReleaseLock> lock(ReleaseLock lock) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                dynamo.putItem(
                        b ->
                                b.tableName(table)
                                        .item(lockItem(lock))
                                        .conditionExpression("attribute_not_exists(pk)")
                                        .returnValuesOnConditionCheckFailure(
                                                ReturnValuesOnConditionCheckFailure.ALL_OLD));
                return Optional.empty();
            } catch (ConditionalCheckFailedException e) {
                if (e.hasItem() && !e.item().isEmpty()) {
                    return Optional.of(lockFrom(e.item()));
                }
                Optional<ReleaseLock> now = currentLock(lock.app());
                if (now.isPresent()) {
                    return now;
                }
                // freed between the put and the read: try again
            }
        }
        throw new IllegalStateException(
                "the release lock of " + lock.app() + " changes too fast to be taken");
    }

    @Override
    public boolean replaceLock(ReleaseLock held, ReleaseLock with) {
        try {
            dynamo.putItem(
                    b ->
                            b.tableName(table)
                                    .item(lockItem(with))
                                    .conditionExpression("rollId = :r AND since = :s")
                                    .expressionAttributeValues(
                                            Map.of(
                                                    ":r",
                                                    s(held.rollId()),
                                                    ":s",
                                                    s(held.since().toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<ReleaseLock> currentLock(String app) {
        var item =
                dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(lockKey(app)))
                        .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(lockFrom(item));
    }

    @Override
    public boolean unlock(String app, String rollId) {
        try {
            dynamo.deleteItem(
                    b ->
                            b.tableName(table)
                                    .key(lockKey(app))
                                    .conditionExpression("rollId = :r")
                                    .expressionAttributeValues(Map.of(":r", s(rollId))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static final TypeReference<List<RollRecord.HostStep>> HOSTS = new TypeReference<>() {};

    private static Map<String, AttributeValue> rollItem(RollRecord r) {
        Map<String, AttributeValue> i = new HashMap<>();
        i.put("pk", s("ROLL#" + r.app()));
        i.put("sk", s(r.startedAt() + "#" + r.rollId()));
        put(i, "app", r.app());
        put(i, "rollId", r.rollId());
        put(i, "kind", r.kind());
        put(i, "repository", r.repository());
        put(i, "tag", r.tag());
        put(i, "digest", r.digest());
        put(i, "version", r.version());
        put(i, "requestedBy", r.requestedBy());
        put(i, "startedAt", r.startedAt());
        put(i, "restorePoint", r.restorePoint());
        put(i, "overrideReason", r.overrideReason());
        i.put("batch", n(r.batch()));
        put(i, "onFailure", r.onFailure());
        put(i, "status", r.status());
        put(i, "reason", r.reason());
        put(i, "databaseReturn", r.database());
        put(i, "lockNote", r.lockNote());
        put(i, "finishedAt", r.finishedAt());
        try {
            i.put("hostSteps", s(EventParser.JSON.writeValueAsString(r.hosts())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the roll's hosts do not serialise", e);
        }
        return i;
    }

    private static RollRecord rollFrom(Map<String, AttributeValue> i) {
        List<RollRecord.HostStep> hosts;
        try {
            hosts = EventParser.JSON.readValue(str(i, "hostSteps"), HOSTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the roll's hosts do not parse", e);
        }
        return new RollRecord(
                str(i, "app"),
                str(i, "rollId"),
                ReleaseRecord.Kind.valueOf(str(i, "kind")),
                str(i, "repository"),
                str(i, "tag"),
                str(i, "digest"),
                str(i, "version"),
                str(i, "requestedBy"),
                instant(i, "startedAt"),
                str(i, "restorePoint"),
                str(i, "overrideReason"),
                (int) dev.quartermaster.common.DynamoItems.num(i, "batch", 1),
                RollRecord.OnFailure.valueOf(str(i, "onFailure")),
                hosts,
                RollRecord.Status.valueOf(str(i, "status")),
                str(i, "reason"),
                str(i, "databaseReturn"),
                str(i, "lockNote"),
                instant(i, "finishedAt"));
    }

    @Override
    public boolean createRoll(RollRecord roll) {
        try {
            dynamo.putItem(
                    b ->
                            b.tableName(table)
                                    .item(rollItem(roll))
                                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public void saveRoll(RollRecord roll) {
        dynamo.putItem(b -> b.tableName(table).item(rollItem(roll)));
    }

    @Override
    public Optional<RollRecord> roll(String app, String rollId) {
        return rolls(app, Integer.MAX_VALUE).stream()
                .filter(r -> r.rollId().equals(rollId))
                .findFirst();
    }

    @Override
    public List<RollRecord> rolls(String app, int limit) {
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s("ROLL#" + app)))
                        .scanIndexForward(false)
                        .consistentRead(true)
                        .build();
        List<RollRecord> out = new ArrayList<>();
        for (var item : dynamo.queryPaginator(q).items()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(rollFrom(item));
        }
        return out;
    }
}
