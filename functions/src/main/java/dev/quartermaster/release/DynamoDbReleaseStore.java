package dev.quartermaster.release;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

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
 * </pre>
 *
 * Drift checks (kind CHECK) expire after a week.
 */
public final class DynamoDbReleaseStore implements ReleaseStore {
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
}
