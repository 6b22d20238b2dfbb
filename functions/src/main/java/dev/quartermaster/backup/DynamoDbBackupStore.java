package dev.quartermaster.backup;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.common.DynamoItems.instant;
import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.num;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Backups in the ledger table:
 *
 * <pre>
 * BACKUP#&lt;db&gt;   &lt;startedAtIso&gt;#&lt;commandId&gt;   status, key, size, sha256, tables, rows, error
 * DRILL#&lt;db&gt;    &lt;startedAtIso&gt;#&lt;commandId&gt;   status, backup key, evidence key, tables, rows, error
 * CMD#&lt;commandId&gt; CMD                        points at the record (SSM status events carry only the id)
 * </pre>
 *
 * Time-range queries are key conditions on the sort key.
 */
public final class DynamoDbBackupStore implements BackupStore {
    private final DynamoDbClient dynamo;
    private final String table;
    private final dev.quartermaster.common.CommandRecords records;

    public DynamoDbBackupStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
        this.records = new dev.quartermaster.common.CommandRecords(dynamo, table, "CMD#");
    }

    private static String pk(BackupRecord.Kind kind, String database) {
        return kind.name() + "#" + database;
    }

    private static String sk(BackupRecord r) {
        return r.startedAt() + "#" + r.commandId();
    }

    @Override
    public boolean create(BackupRecord r) {
        return records.create(r.commandId(), toItem(r), Map.of());
    }

    @Override
    public Optional<BackupRecord> byCommandId(String commandId) {
        return records.byCommandId(commandId).map(DynamoDbBackupStore::fromItem);
    }

    @Override
    public boolean settle(BackupRecord outcome) {
        return records.settle(toItem(outcome), BackupRecord.Status.RUNNING.name());
    }

    @Override
    public List<BackupRecord> list(BackupRecord.Kind kind, String database, Instant since) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":pk", s(pk(kind, database)));
        String condition = "pk = :pk";
        if (since != null) {
            condition += " AND sk >= :since";
            values.put(":since", s(since.toString()));
        }
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression(condition)
                        .expressionAttributeValues(values)
                        .scanIndexForward(false)
                        .consistentRead(true)
                        .build();
        List<BackupRecord> out = new ArrayList<>();
        dynamo.queryPaginator(q).items().forEach(i -> out.add(fromItem(i)));
        return out;
    }

    private static Map<String, AttributeValue> toItem(BackupRecord r) {
        Map<String, AttributeValue> i = new HashMap<>();
        i.put("pk", s(pk(r.kind(), r.database())));
        i.put("sk", s(sk(r)));
        i.put("kind", s(r.kind().name()));
        i.put("database", s(r.database()));
        i.put("startedAt", s(r.startedAt().toString()));
        i.put("commandId", s(r.commandId()));
        i.put("status", s(r.status().name()));
        if (r.key() != null) {
            i.put("key", s(r.key()));
        }
        i.put("bytes", n(r.bytes()));
        if (r.sha256() != null) {
            i.put("sha256", s(r.sha256()));
        }
        i.put("tables", n(r.tables()));
        i.put("rows", n(r.rows()));
        if (r.finishedAt() != null) {
            i.put("finishedAt", s(r.finishedAt().toString()));
        }
        if (r.error() != null) {
            i.put("error", s(r.error()));
        }
        if (r.evidenceKey() != null) {
            i.put("evidenceKey", s(r.evidenceKey()));
        }
        i.put("durationMs", n(r.durationMs()));
        if (r.schemaFingerprint() != null) {
            i.put("schemaFingerprint", s(r.schemaFingerprint()));
            i.put("dbVersion", s(r.dbVersion() == null ? "" : r.dbVersion()));
        }
        return i;
    }

    private static BackupRecord fromItem(Map<String, AttributeValue> i) {
        return BackupRecord.builder()
                .kind(BackupRecord.Kind.valueOf(str(i, "kind")))
                .database(str(i, "database"))
                .startedAt(instant(i, "startedAt"))
                .commandId(str(i, "commandId"))
                .key(str(i, "key"))
                .status(BackupRecord.Status.valueOf(str(i, "status")))
                .bytes(num(i, "bytes", 0))
                .sha256(str(i, "sha256"))
                .tables((int) num(i, "tables", 0))
                .rows(num(i, "rows", 0))
                .finishedAt(instant(i, "finishedAt"))
                .error(str(i, "error"))
                .evidenceKey(str(i, "evidenceKey"))
                .durationMs(num(i, "durationMs", 0))
                .schemaFingerprint(str(i, "schemaFingerprint"))
                .dbVersion(str(i, "dbVersion"))
                .build();
    }
}
