package dev.quartermaster.common;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.common.DynamoItems.bool;
import static dev.quartermaster.common.DynamoItems.flag;
import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.num;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * The alert log in its own DynamoDB table (keys {@code pk}, {@code sk}; TTL attribute {@code
 * expiresAt}; two indexes).
 *
 * <pre>
 * G#&lt;kind&gt;#&lt;subject&gt;   CURRENT                 the open (or last) window of one kind and subject
 * G#&lt;kind&gt;#&lt;subject&gt;   AT#&lt;first ms&gt;#&lt;version&gt;  a closed window, as it ended
 * F#&lt;kind&gt;             CURRENT                 the kind's flood window: distinct subjects, the first few by name
 * index Recent: log ("A" on every group window) + lastAt (ms)   bin/qm alerts and status: the newest first
 * index Due:    due ("D" while not settled) + dueAt (ms)        the sweep: what ended or was never delivered
 * </pre>
 *
 * Times the indexes sort by are epoch milliseconds (numbers sort; ISO strings of varying precision
 * do not).
 */
public final class DynamoDbAlertLog implements AlertLog {
    static final String CURRENT = "CURRENT";
    public static final String RECENT_INDEX = "Recent";
    public static final String DUE_INDEX = "Due";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    public DynamoDbAlertLog(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    static String pk(Key k) {
        return k.flood() ? "F#" + k.kind() : "G#" + k.kind() + "#" + k.subject();
    }

    private static Map<String, AttributeValue> headKey(Key k) {
        return Map.of("pk", s(pk(k)), "sk", s(CURRENT));
    }

    @Override
    public Optional<Window> count(Key key, Instant at, String subject) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":one", n(1));
        values.put(":at", n(at.toEpochMilli()));
        values.put(":exp", n(expiry(at)));
        Map<String, AttributeValue> updated;
        try {
            updated =
                    dynamo.updateItem(
                                    b ->
                                            b.tableName(table)
                                                    .key(headKey(key))
                                                    .updateExpression(
                                                            "SET #c = #c + :one, lastAt = :at, expiresAt = :exp")
                                                    .conditionExpression(
                                                            "attribute_exists(pk) AND endAt > :at")
                                                    .expressionAttributeNames(Map.of("#c", "count"))
                                                    .expressionAttributeValues(values)
                                                    .returnValues(ReturnValue.ALL_NEW))
                            .attributes();
        } catch (ConditionalCheckFailedException noOpenWindow) {
            return Optional.empty();
        }
        Window w = window(updated);
        if (key.flood()
                && subject != null
                && w.subjects().size() < FIRST_FEW
                && w.count() <= FIRST_FEW) {
            try { // one of the first few: remembered by name (never more than FIRST_FEW, however
                // many writers race)
                var remembered =
                        dynamo.updateItem(
                                        b ->
                                                b.tableName(table)
                                                        .key(headKey(key))
                                                        .updateExpression(
                                                                "SET subjects = list_append(subjects, :s)")
                                                        .conditionExpression(
                                                                "size(subjects) < :few")
                                                        .expressionAttributeValues(
                                                                Map.of(
                                                                        ":s",
                                                                        AttributeValue.fromL(
                                                                                List.of(
                                                                                        s(
                                                                                                subject))),
                                                                        ":few",
                                                                        n(FIRST_FEW)))
                                                        .returnValues(ReturnValue.UPDATED_NEW))
                                .attributes();
                // the count stays the one this occurrence made (others may have counted since):
                // only the names are new
                w =
                        new Window(
                                w.key(),
                                w.firstAt(),
                                w.end(),
                                w.lastAt(),
                                w.count(),
                                w.title(),
                                w.message(),
                                w.next(),
                                w.attributes(),
                                w.published(),
                                w.held(),
                                w.settled(),
                                w.claimedAt(),
                                remembered.get("subjects").l().stream()
                                        .map(AttributeValue::s)
                                        .toList(),
                                w.version());
            } catch (ConditionalCheckFailedException full) {
                // others were first
            }
        }
        return Optional.of(w);
    }

    @Override
    public Optional<Window> current(Key key) {
        var item =
                dynamo.getItem(b -> b.tableName(table).key(headKey(key)).consistentRead(true))
                        .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(window(item));
    }

    @Override
    public Optional<Window> open(Window fresh, Window replaced, Window closedAs) {
        Window stored = withVersion(fresh, replaced == null ? 0 : replaced.version() + 1);
        Map<String, AttributeValue> item = item(stored, CURRENT);
        if (replaced == null) {
            try {
                dynamo.putItem(
                        b ->
                                b.tableName(table)
                                        .item(item)
                                        .conditionExpression("attribute_not_exists(pk)"));
                return Optional.of(stored);
            } catch (ConditionalCheckFailedException lost) {
                return Optional.empty();
            }
        }
        Put head =
                Put.builder()
                        .tableName(table)
                        .item(item)
                        .conditionExpression("version = :v AND #c = :c")
                        .expressionAttributeNames(Map.of("#c", "count"))
                        .expressionAttributeValues(
                                Map.of(":v", n(replaced.version()), ":c", n(replaced.count())))
                        .build();
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().put(head).build());
        if (closedAs != null) {
            writes.add(
                    TransactWriteItem.builder()
                            .put(
                                    Put.builder()
                                            .tableName(table)
                                            .item(
                                                    item(
                                                            closedAs,
                                                            "AT#"
                                                                    + String.format(
                                                                            "%015d",
                                                                            closedAs.firstAt()
                                                                                    .toEpochMilli())
                                                                    + "#"
                                                                    + closedAs.version()))
                                            .build())
                            .build());
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(writes));
            return Optional.of(stored);
        } catch (TransactionCanceledException lost) {
            if (lost.cancellationReasons().stream()
                    .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()))) {
                return Optional.empty();
            }
            throw lost;
        }
    }

    @Override
    public Optional<Window> update(Window next) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":v", n(next.version()));
        values.put(":next", n(next.version() + 1));
        values.put(":p", bool(next.published()));
        values.put(":h", bool(next.held()));
        values.put(":s", bool(next.settled()));
        values.put(":dueAt", n(AlertLog.dueAt(next).toEpochMilli()));
        StringBuilder set =
                new StringBuilder(
                        "SET version = :next, published = :p, held = :h, settled = :s, dueAt = :dueAt");
        List<String> remove = new ArrayList<>();
        if (next.claimedAt() != null) {
            values.put(":claimed", n(next.claimedAt().toEpochMilli()));
            set.append(", claimedAt = :claimed");
        } else {
            remove.add("claimedAt");
        }
        if (next.settled()) {
            remove.add("due");
        } else {
            values.put(":d", s("D"));
            set.append(", due = :d");
        }
        String expression = set + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
        try {
            var updated =
                    dynamo.updateItem(
                                    b ->
                                            b.tableName(table)
                                                    .key(headKey(next.key()))
                                                    .updateExpression(expression)
                                                    .conditionExpression("version = :v")
                                                    .expressionAttributeValues(values)
                                                    .returnValues(ReturnValue.ALL_NEW))
                            .attributes();
            return Optional.of(window(updated));
        } catch (ConditionalCheckFailedException changed) {
            return Optional.empty();
        }
    }

    @Override
    public List<Window> due(Instant now, int limit) {
        return query(
                QueryRequest.builder()
                        .tableName(table)
                        .indexName(DUE_INDEX)
                        .keyConditionExpression("due = :d AND dueAt <= :now")
                        .expressionAttributeValues(
                                Map.of(":d", s("D"), ":now", n(now.toEpochMilli())))
                        .scanIndexForward(true),
                limit);
    }

    @Override
    public List<Window> since(Instant since, int limit) {
        return query(
                QueryRequest.builder()
                        .tableName(table)
                        .indexName(RECENT_INDEX)
                        .keyConditionExpression("#log = :a AND lastAt >= :since")
                        .expressionAttributeNames(Map.of("#log", "log"))
                        .expressionAttributeValues(
                                Map.of(":a", s("A"), ":since", n(since.toEpochMilli())))
                        .scanIndexForward(false),
                limit);
    }

    private List<Window> query(QueryRequest.Builder request, int limit) {
        List<Window> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page =
                    dynamo.query(
                            request.exclusiveStartKey(start)
                                    .limit(Math.min(limit - out.size(), 200))
                                    .build());
            page.items().forEach(i -> out.add(window(i)));
            start =
                    page.lastEvaluatedKey() == null || page.lastEvaluatedKey().isEmpty()
                            ? null
                            : page.lastEvaluatedKey();
        } while (start != null && out.size() < limit);
        return out;
    }

    private long expiry(Instant lastAt) {
        return lastAt.plus(retention).getEpochSecond();
    }

    private static Window withVersion(Window w, long version) {
        return new Window(
                w.key(),
                w.firstAt(),
                w.end(),
                w.lastAt(),
                w.count(),
                w.title(),
                w.message(),
                w.next(),
                w.attributes(),
                w.published(),
                w.held(),
                w.settled(),
                w.claimedAt(),
                w.subjects(),
                version);
    }

    private Map<String, AttributeValue> item(Window w, String sk) {
        Map<String, AttributeValue> i = new HashMap<>();
        i.put("pk", s(pk(w.key())));
        i.put("sk", s(sk));
        i.put("kind", s(w.key().kind()));
        if (!w.key().flood()) {
            i.put("subject", s(w.key().subject()));
            i.put("log", s("A")); // every group window, current or closed, is listed
        }
        i.put("firstAt", n(w.firstAt().toEpochMilli()));
        i.put("endAt", n(w.end().toEpochMilli()));
        i.put("lastAt", n(w.lastAt().toEpochMilli()));
        i.put("count", n(w.count()));
        if (w.title() != null) {
            i.put("title", s(w.title()));
        }
        if (w.message() != null) {
            i.put("message", s(w.message()));
        }
        if (w.next() != null) {
            i.put("next", s(w.next()));
        }
        Map<String, AttributeValue> attrs = new LinkedHashMap<>();
        w.attributes().forEach((k, v) -> attrs.put(k, s(v)));
        i.put("attrs", AttributeValue.fromM(attrs));
        i.put("published", bool(w.published()));
        i.put("held", bool(w.held()));
        i.put("settled", bool(w.settled()));
        if (w.claimedAt() != null) {
            i.put("claimedAt", n(w.claimedAt().toEpochMilli()));
        }
        i.put("subjects", AttributeValue.fromL(w.subjects().stream().map(DynamoItems::s).toList()));
        i.put("version", n(w.version()));
        if (CURRENT.equals(sk) && !w.settled()) {
            i.put("due", s("D"));
            i.put("dueAt", n(AlertLog.dueAt(w).toEpochMilli()));
        }
        i.put("expiresAt", n(expiry(w.lastAt().isAfter(w.end()) ? w.lastAt() : w.end())));
        return i;
    }

    private static Window window(Map<String, AttributeValue> i) {
        String kind = str(i, "kind");
        String subject = str(i, "subject");
        Map<String, String> attrs = new LinkedHashMap<>();
        AttributeValue a = i.get("attrs");
        if (a != null && a.hasM()) {
            a.m().forEach((k, v) -> attrs.put(k, v.s()));
        }
        AttributeValue subjects = i.get("subjects");
        return new Window(
                new Key(kind, subject),
                millis(i, "firstAt"),
                millis(i, "endAt"),
                millis(i, "lastAt"),
                num(i, "count", 0),
                str(i, "title"),
                str(i, "message"),
                str(i, "next"),
                attrs,
                flag(i, "published"),
                flag(i, "held"),
                flag(i, "settled"),
                millis(i, "claimedAt"),
                subjects == null || !subjects.hasL()
                        ? List.of()
                        : subjects.l().stream().map(AttributeValue::s).toList(),
                num(i, "version", 0));
    }

    private static Instant millis(Map<String, AttributeValue> i, String name) {
        AttributeValue v = i.get(name);
        return v == null || v.n() == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }
}
