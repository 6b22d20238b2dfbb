package dev.quartermaster.replication;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.common.DynamoItems.bool;
import static dev.quartermaster.common.DynamoItems.flag;
import static dev.quartermaster.common.DynamoItems.instant;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Replicas in the ledger table:
 *
 * <pre>
 * REPLICA#&lt;repo&gt;@&lt;digest&gt;  &lt;region&gt;/&lt;account&gt;                       state, reason, pushedAt, dueAt, settledAt, late, alert, rev
 * REPLICADUE                  &lt;dueAtIso&gt;#&lt;repo&gt;@&lt;digest&gt;#&lt;dest&gt;     the due list: one entry per PENDING replica
 * </pre>
 *
 * A replica and its due entry change in one transaction, conditional on the replica's revision, so
 * the due list holds exactly the PENDING replicas and two writers never both move one.
 */
public final class DynamoDbReplicaStore implements ReplicaStore {
    static final String DUE = "REPLICADUE";
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbReplicaStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static String pk(String repository, String digest) {
        return "REPLICA#" + repository + "@" + digest;
    }

    private static String dueSk(Replica r) {
        return r.dueAt() + "#" + r.repository() + "@" + r.digest() + "#" + r.destination().key();
    }

    @Override
    public boolean await(Replica pending) {
        return write(Optional.empty(), pending);
    }

    @Override
    public Optional<Replica> get(String repository, String digest, Destination destination) {
        Map<String, AttributeValue> item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .consistentRead(true)
                                                .key(
                                                        Map.of(
                                                                "pk",
                                                                s(pk(repository, digest)),
                                                                "sk",
                                                                s(destination.key()))))
                        .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    @Override
    public boolean transition(Optional<Replica> current, Replica next) {
        if (!ReplicaStore.allowed(current, next)) {
            return false;
        }
        return write(current, next);
    }

    /**
     * One transaction: the replica (conditional on its revision, or on its absence) and its due
     * entry.
     */
    private boolean write(Optional<Replica> current, Replica next) {
        long rev = current.map(Replica::revision).orElse(0L);
        Map<String, AttributeValue> item = toItem(next);
        item.put("rev", AttributeValue.fromN(Long.toString(rev + 1)));
        List<TransactWriteItem> items = new ArrayList<>();
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (current.isEmpty()) {
            put.conditionExpression("attribute_not_exists(pk)");
        } else {
            put.conditionExpression("rev = :rev")
                    .expressionAttributeValues(
                            Map.of(":rev", AttributeValue.fromN(Long.toString(rev))));
        }
        items.add(TransactWriteItem.builder().put(put.build()).build());
        current.filter(c -> c.state() == ReplicaState.PENDING && c.dueAt() != null)
                .ifPresent(
                        c ->
                                items.add(
                                        TransactWriteItem.builder()
                                                .delete(
                                                        Delete.builder()
                                                                .tableName(table)
                                                                .key(
                                                                        Map.of(
                                                                                "pk",
                                                                                s(DUE),
                                                                                "sk",
                                                                                s(dueSk(c))))
                                                                .build())
                                                .build()));
        if (next.state() == ReplicaState.PENDING && next.dueAt() != null) {
            Map<String, AttributeValue> due = new HashMap<>();
            due.put("pk", s(DUE));
            due.put("sk", s(dueSk(next)));
            due.put("repository", s(next.repository()));
            due.put("digest", s(next.digest()));
            due.put("destination", s(next.destination().key()));
            items.add(
                    TransactWriteItem.builder()
                            .put(Put.builder().tableName(table).item(due).build())
                            .build());
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            return true;
        } catch (TransactionCanceledException | ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public List<Replica> due(Instant now, int limit) {
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk AND sk <= :now")
                        .expressionAttributeValues(
                                Map.of(":pk", s(DUE), ":now", s(now.toString() + "~")))
                        .consistentRead(true)
                        .limit(limit)
                        .build();
        List<Replica> out = new ArrayList<>();
        for (Map<String, AttributeValue> i : dynamo.query(q).items()) {
            String dest = str(i, "destination");
            int slash = dest.indexOf('/');
            get(
                            str(i, "repository"),
                            str(i, "digest"),
                            new Destination(dest.substring(0, slash), dest.substring(slash + 1)))
                    .filter(r -> r.state() == ReplicaState.PENDING)
                    .ifPresent(out::add);
        }
        return out;
    }

    @Override
    public List<Replica> replicas(String repository, String digest) {
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s(pk(repository, digest))))
                        .consistentRead(true)
                        .build();
        List<Replica> out = new ArrayList<>();
        dynamo.queryPaginator(q).items().forEach(i -> out.add(fromItem(i)));
        return out;
    }

    @Override
    public void alertDelivered(Replica replica) {
        try {
            dynamo.updateItem(
                    b ->
                            b.tableName(table)
                                    .key(
                                            Map.of(
                                                    "pk",
                                                    s(pk(replica.repository(), replica.digest())),
                                                    "sk",
                                                    s(replica.destination().key())))
                                    .updateExpression("REMOVE alert")
                                    .conditionExpression("alert = :alert")
                                    .expressionAttributeValues(
                                            Map.of(":alert", s(replica.pendingAlert()))));
        } catch (ConditionalCheckFailedException e) {
            // cleared already, or replaced by a later transition's own alert
        }
    }

    private static Map<String, AttributeValue> toItem(Replica r) {
        Map<String, AttributeValue> i = new HashMap<>();
        i.put("pk", s(pk(r.repository(), r.digest())));
        i.put("sk", s(r.destination().key()));
        i.put("repository", s(r.repository()));
        i.put("digest", s(r.digest()));
        i.put("state", s(r.state().name()));
        i.put("reason", s(r.reason() == null ? "" : r.reason()));
        i.put("late", bool(r.late()));
        if (r.pushedAt() != null) {
            i.put("pushedAt", s(r.pushedAt().toString()));
        }
        if (r.dueAt() != null) {
            i.put("dueAt", s(r.dueAt().toString()));
        }
        if (r.settledAt() != null) {
            i.put("settledAt", s(r.settledAt().toString()));
        }
        if (r.pendingAlert() != null) {
            i.put("alert", s(r.pendingAlert()));
        }
        return i;
    }

    private static Replica fromItem(Map<String, AttributeValue> i) {
        String dest = str(i, "sk");
        int slash = dest.indexOf('/');
        Replica r =
                new Replica(
                        str(i, "repository"),
                        str(i, "digest"),
                        new Destination(dest.substring(0, slash), dest.substring(slash + 1)),
                        ReplicaState.valueOf(str(i, "state")),
                        str(i, "reason"),
                        instant(i, "pushedAt"),
                        instant(i, "dueAt"),
                        instant(i, "settledAt"),
                        flag(i, "late"),
                        i.containsKey("alert") ? str(i, "alert") : null,
                        dev.quartermaster.common.DynamoItems.num(i, "rev", 0));
        return r;
    }
}
