package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;
import dev.quartermaster.events.EventParser;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.quartermaster.common.DynamoItems.bool;
import static dev.quartermaster.common.DynamoItems.flag;
import static dev.quartermaster.common.DynamoItems.instant;
import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.num;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * The ledger in one DynamoDB table (keys {@code pk}, {@code sk}; TTL attribute {@code expiresAt}).
 * <pre>
 * EVENT#&lt;id&gt;          EVENT                 processed-event marker (+ pending alert), expires
 * TAG#&lt;repo&gt;#&lt;tag&gt;   HEAD                  current digest of the tag, version for optimistic locking
 * TAG#&lt;repo&gt;#&lt;tag&gt;   AT#&lt;iso&gt;#&lt;eventId&gt;    tag history
 * REPO#&lt;repo&gt;         DIGEST#&lt;digest&gt;       image: media types, push times, tags, verdict, scan counts
 * REPO#&lt;repo&gt;         FAILURE#&lt;iso&gt;#&lt;id&gt;    failed push/delete
 * </pre>
 */
public final class DynamoDbLedgerStore implements LedgerStore {
    static final Duration MARKER_TTL = Duration.ofDays(90);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbLedgerStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    static String tagPk(String repo, String tag) {
        return "TAG#" + repo + "#" + tag;
    }

    static String repoPk(String repo) {
        return "REPO#" + repo;
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }

    @Override
    public Optional<TagHead> head(String repository, String tag) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key(tagPk(repository, tag), "HEAD")).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TagHead(repository, tag, str(item, "digest"), str(item, "lastDigest"), instant(item, "at"),
                num(item, "version", 0), str(item, "eventId")));
    }

    @Override
    public Optional<ImageRecord> image(String repository, String digest) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key(repoPk(repository), "DIGEST#" + digest)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toImage(item));
    }

    @Override
    public List<TagEvent> history(String repository, String tag) {
        List<TagEvent> out = new ArrayList<>();
        query(tagPk(repository, tag), "AT#", false).forEach(i -> out.add(new TagEvent(repository, tag,
                instant(i, "at"), ImageAction.Kind.valueOf(str(i, "action")), str(i, "digest"), str(i, "previousDigest"),
                flag(i, "moved"), flag(i, "outOfOrder"), str(i, "eventId"))));
        return out;
    }

    @Override
    public List<ImageRecord> images(String repository) {
        return query(repoPk(repository), "DIGEST#", true).stream().map(DynamoDbLedgerStore::toImage).toList();
    }

    @Override
    public List<FailedAction> failures(String repository) {
        return query(repoPk(repository), "FAILURE#", false).stream().map(i -> new FailedAction(repository, instant(i, "at"),
                ImageAction.Kind.valueOf(str(i, "action")), str(i, "tag"), str(i, "digest"), str(i, "eventId"))).toList();
    }

    private List<Map<String, AttributeValue>> query(String pk, String skPrefix, boolean forward) {
        QueryRequest request = QueryRequest.builder().tableName(table)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :p)")
                .expressionAttributeValues(Map.of(":pk", s(pk), ":p", s(skPrefix)))
                .scanIndexForward(forward)
                .consistentRead(true)
                .build();
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        dynamo.queryPaginator(request).items().forEach(out::add);
        return out;
    }

    /** DynamoDB's limit on the items of one transaction. */
    static final int MAX_TRANSACTION_ITEMS = 100;

    /**
     * One transaction when the write fits in it. A digest delete that clears more tags than fit (60 tags
     * are 120 items) first clears them in chunks, each tag's head and history entry together, then
     * commits the marker and the image in the last transaction. Each chunk is safe to repeat: a retry
     * plans again from the heads, and a cleared head no longer points at the digest.
     */
    @Override
    public void apply(LedgerWrite write) {
        ImageAction a = write.action();
        List<TransactWriteItem> items = core(write);
        List<TransactWriteItem> tagItems = tagItems(write);
        if (items.size() + tagItems.size() <= MAX_TRANSACTION_ITEMS) {
            items.addAll(tagItems);
        } else if (write.heads().size() == write.history().size()) {
            applyInChunks(write, a);
        } else {
            throw new IllegalStateException("event " + a.eventId() + " changes " + tagItems.size() + " tag items, more than one transaction holds");
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                throw new DuplicateEventException(a.eventId());
            }
            boolean conflict = reasons.stream().anyMatch(r -> "ConditionalCheckFailed".equals(r.code())
                    || "TransactionConflict".equals(r.code()));
            if (conflict) {
                throw new ConcurrentChangeException("tag head changed while recording event " + a.eventId());
            }
            throw e;
        }
    }

    /** The marker, the image changes and the failure: the items every write commits together. */
    private List<TransactWriteItem> core(LedgerWrite write) {
        ImageAction a = write.action();
        List<TransactWriteItem> core = new ArrayList<>();
        core.add(marker(a, write.alert()));
        for (LedgerWrite.ImageChange c : write.images()) {
            core.add(imageUpdate(c, a));
        }
        if (write.failure() != null) {
            core.add(failurePut(write.failure()));
        }
        return core;
    }

    /** The heads and history entries a write changes (each tag's pair side by side in a chunked write). */
    private List<TransactWriteItem> tagItems(LedgerWrite write) {
        List<TransactWriteItem> tagItems = new ArrayList<>();
        for (LedgerWrite.HeadChange h : write.heads()) {
            tagItems.add(headPut(h));
        }
        for (TagEvent e : write.history()) {
            tagItems.add(historyPut(e));
        }
        return tagItems;
    }

    private void applyInChunks(LedgerWrite write, ImageAction a) {
        int perChunk = (MAX_TRANSACTION_ITEMS - 2) / 2;
        for (int from = 0; from < write.heads().size(); from += perChunk) {
            List<TransactWriteItem> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(write.heads().size(), from + perChunk); i++) {
                chunk.add(headPut(write.heads().get(i)));
                chunk.add(historyPut(write.history().get(i)));
            }
            try {
                dynamo.transactWriteItems(b -> b.transactItems(chunk));
            } catch (TransactionCanceledException e) {
                throw new ConcurrentChangeException("a tag changed while clearing the tags of " + a.digest() + "; planning again");
            }
        }
    }

    private TransactWriteItem marker(ImageAction a, Alert alert) {
        Map<String, AttributeValue> item = new HashMap<>(key("EVENT#" + a.eventId(), "EVENT"));
        item.put("expiresAt", n(Instant.now().plus(MARKER_TTL).getEpochSecond()));
        item.put("repository", s(a.repository()));
        if (alert != null) {
            item.put("alert", s(toJson(alert)));
            item.put("alertPending", bool(true));
        }
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    private TransactWriteItem headPut(LedgerWrite.HeadChange h) {
        TagHead next = h.next();
        Map<String, AttributeValue> item = new HashMap<>(key(tagPk(next.repository(), next.tag()), "HEAD"));
        item.put("repository", s(next.repository()));
        item.put("tag", s(next.tag()));
        if (next.digest() != null) {
            item.put("digest", s(next.digest()));
        }
        if (next.lastDigest() != null) {
            item.put("lastDigest", s(next.lastDigest()));
        }
        item.put("at", s(next.at().toString()));
        item.put("version", n(next.version()));
        item.put("eventId", s(next.eventId()));
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (h.expected() != null) {
            put.conditionExpression("#v = :v").expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":v", n(h.expected().version())));
        } else {
            put.conditionExpression("attribute_not_exists(pk)");
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem historyPut(TagEvent e) {
        Map<String, AttributeValue> item = new HashMap<>(key(tagPk(e.repository(), e.tag()), "AT#" + e.at() + "#" + e.eventId()));
        item.put("repository", s(e.repository()));
        item.put("tag", s(e.tag()));
        item.put("at", s(e.at().toString()));
        item.put("action", s(e.action().name()));
        item.put("digest", s(e.digest()));
        if (e.previousDigest() != null) {
            item.put("previousDigest", s(e.previousDigest()));
        }
        item.put("moved", bool(e.moved()));
        item.put("outOfOrder", bool(e.outOfOrder()));
        item.put("eventId", s(e.eventId()));
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    private TransactWriteItem imageUpdate(LedgerWrite.ImageChange c, ImageAction a) {
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(c.repository()));
        u.set("digest", s(c.digest()));
        if (c.pushed()) {
            u.setIfNotExists("firstPushedAt", s(a.at().toString()));
            u.set("lastPushedAt", s(a.at().toString()));
            u.set("deleted", bool(false));
            if (a.manifestMediaType() != null) {
                u.set("manifestMediaType", s(a.manifestMediaType()));
            }
            if (a.artifactMediaType() != null) {
                u.set("artifactMediaType", s(a.artifactMediaType()));
            }
        }
        if (c.deleted()) {
            u.set("deleted", bool(true));
            u.set("deletedAt", s(a.at().toString()));
        }
        if (c.addTag() != null) {
            u.add("tags", AttributeValue.fromSs(List.of(c.addTag())));
        }
        if (c.removeTag() != null) {
            u.delete("tags", AttributeValue.fromSs(List.of(c.removeTag())));
        }
        // ISO-8601 instants in UTC compare as strings
        switch (c.guard()) {
            case NOT_DELETED_AFTER -> u.condition("attribute_not_exists(%1$s) OR %1$s <= %2$s", "deletedAt", s(c.at().toString()));
            case NOT_PUSHED_AFTER -> u.condition("attribute_not_exists(%1$s) OR %1$s <= %2$s", "lastPushedAt", s(c.at().toString()));
            case NONE -> { }
        }
        return TransactWriteItem.builder().update(u.toUpdate(table, key(repoPk(c.repository()), "DIGEST#" + c.digest()))).build();
    }

    private TransactWriteItem failurePut(FailedAction f) {
        Map<String, AttributeValue> item = new HashMap<>(key(repoPk(f.repository()), "FAILURE#" + f.at() + "#" + f.eventId()));
        item.put("at", s(f.at().toString()));
        item.put("action", s(f.action().name()));
        if (f.tag() != null && !f.tag().isEmpty()) {
            item.put("tag", s(f.tag()));
        }
        if (f.digest() != null) {
            item.put("digest", s(f.digest()));
        }
        item.put("eventId", s(f.eventId()));
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build();
    }

    /**
     * The write's own transaction, built as {@link #apply} builds it, behind a first condition that cannot
     * hold (an item that never exists must exist): cancelled, nothing written. Then a transaction of one
     * condition that holds (that item does not exist), which writes nothing either but is answered as a
     * success: both answers' paths are warm.
     */
    @Override
    public void prime(LedgerWrite write) {
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(primingCheck("attribute_exists(pk)"));
        items.addAll(core(write));
        List<TransactWriteItem> tagItems = tagItems(write);
        if (items.size() + tagItems.size() <= MAX_TRANSACTION_ITEMS) {
            items.addAll(tagItems); // a write too large for one transaction primes its core
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
            throw new IllegalStateException("the priming transaction's first condition held: QM#PRIMING exists in " + table);
        } catch (TransactionCanceledException expected) {
            // the first condition cannot hold: nothing was written, which is the point
        }
        dynamo.transactWriteItems(b -> b.transactItems(primingCheck("attribute_not_exists(pk)")));
    }

    /** A condition on an item that never exists: it writes nothing whether it holds or not. */
    private TransactWriteItem primingCheck(String condition) {
        return TransactWriteItem.builder().conditionCheck(c -> c.tableName(table)
                .key(key("QM#PRIMING", "QM#PRIMING")).conditionExpression(condition)).build();
    }

    @Override
    public Optional<Alert> pendingAlert(String eventId) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key("EVENT#" + eventId, "EVENT")).consistentRead(true)).item();
        if (item == null || !flag(item, "alertPending")) {
            return Optional.empty();
        }
        return Optional.of(fromJson(str(item, "alert")));
    }

    @Override
    public void alertDelivered(String eventId) {
        dynamo.updateItem(b -> b.tableName(table).key(key("EVENT#" + eventId, "EVENT"))
                .updateExpression("SET alertPending = :f").expressionAttributeValues(Map.of(":f", bool(false))));
    }

    @Override
    public void recordVerification(String repository, String digest, ImageRecord.Verification v) {
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(repository));
        u.set("digest", s(digest));
        u.set("verdict", s(v.verdict().name()));
        putOpt(u, "promised", v.promised());
        putOpt(u, "found", v.found());
        putOpt(u, "verdictReason", v.reason());
        u.set("bytesFetched", n(v.bytesFetched()));
        u.set("imageBytes", n(v.imageBytes()));
        u.set("verifiedAt", s(v.at().toString()));
        dynamo.updateItem(u.toUpdateRequest(table, key(repoPk(repository), "DIGEST#" + digest)));
    }

    private static void putOpt(UpdateBuilder u, String name, String value) {
        if (value != null) {
            u.set(name, s(value));
        }
    }

    @Override
    public void recordScan(String repository, String digest, Map<String, Integer> counts, boolean failed, Instant at) {
        Map<String, AttributeValue> m = new HashMap<>();
        counts.forEach((k, v) -> m.put(k, n(v)));
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(repository));
        u.set("digest", s(digest));
        u.set("scanCounts", AttributeValue.fromM(m));
        u.set("scannedAt", s(at.toString()));
        u.set("scanFailed", bool(failed));
        dynamo.updateItem(u.toUpdateRequest(table, key(repoPk(repository), "DIGEST#" + digest)));
    }

    @Override
    public void recordArchive(String repository, String digest, ImageRecord.Archive archive) {
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(repository));
        u.set("digest", s(digest));
        u.set("archived", bool(archive.complete()));
        u.set("archiveBytesStored", n(archive.bytesStored()));
        u.set("archiveBytesDeduplicated", n(archive.bytesDeduplicated()));
        u.set("archivedAt", s(archive.at().toString()));
        dynamo.updateItem(u.toUpdateRequest(table, key(repoPk(repository), "DIGEST#" + digest)));
    }

    @Override
    public boolean markDone(String key) {
        Map<String, AttributeValue> item = new HashMap<>(key("DONE#" + key, "DONE"));
        item.put("expiresAt", n(Instant.now().plus(MARKER_TTL).getEpochSecond()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean isDone(String key) {
        var item = dynamo.getItem(b -> b.tableName(table).key(key("DONE#" + key, "DONE")).consistentRead(true)).item();
        return item != null && !item.isEmpty();
    }

    @Override
    public void linkChildren(String repository, String indexDigest, List<String> childDigests) {
        for (String child : childDigests) {
            UpdateBuilder u = new UpdateBuilder();
            u.set("repository", s(repository));
            u.set("digest", s(child));
            u.set("indexDigest", s(indexDigest));
            dynamo.updateItem(u.toUpdateRequest(table, key(repoPk(repository), "DIGEST#" + child)));
        }
    }

    private static ImageRecord toImage(Map<String, AttributeValue> i) {
        Set<String> tags = new LinkedHashSet<>(i.containsKey("tags") ? i.get("tags").ss() : List.of());
        ImageRecord.Verification v = str(i, "verdict") == null ? null : new ImageRecord.Verification(
                ImageVerdict.valueOf(str(i, "verdict")), str(i, "promised"), str(i, "found"), str(i, "verdictReason"),
                num(i, "bytesFetched", 0), num(i, "imageBytes", 0), instant(i, "verifiedAt"));
        Map<String, Integer> scan = new TreeMap<>();
        if (i.containsKey("scanCounts")) {
            i.get("scanCounts").m().forEach((k, val) -> scan.put(k, Integer.parseInt(val.n())));
        }
        return ImageRecord.builder(str(i, "repository"), str(i, "digest"))
                .mediaTypes(str(i, "manifestMediaType"), str(i, "artifactMediaType"))
                .pushed(instant(i, "firstPushedAt"), instant(i, "lastPushedAt"))
                .tags(new java.util.TreeSet<>(tags)).deleted(flag(i, "deleted"), instant(i, "deletedAt"))
                .indexDigest(str(i, "indexDigest")).verification(v)
                .scan(i.containsKey("scanCounts") ? scan : null, flag(i, "scanFailed"))
                .archive(i.containsKey("archived") ? new ImageRecord.Archive(flag(i, "archived"), num(i, "archiveBytesStored", 0),
                        num(i, "archiveBytesDeduplicated", 0), instant(i, "archivedAt")) : null).build();
    }

    private static String toJson(Alert a) {
        try {
            return EventParser.JSON.writeValueAsString(a);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Alert fromJson(String json) {
        try {
            return EventParser.JSON.readValue(json, Alert.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored alert is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    /** Builds update expressions with placeholder names, so no attribute collides with a reserved word. */
    static final class UpdateBuilder {
        private final List<String> sets = new ArrayList<>();
        private final List<String> adds = new ArrayList<>();
        private final List<String> deletes = new ArrayList<>();
        private final Map<String, String> names = new LinkedHashMap<>();
        private final Map<String, AttributeValue> values = new LinkedHashMap<>();
        private String condition;

        /** A condition on the item: {@code template} with %1$s for the attribute's name, %2$s for the value. */
        void condition(String template, String attr, AttributeValue v) {
            condition = String.format(template, name(attr), value(v));
        }

        private String name(String attr) {
            String p = "#a" + names.size();
            names.put(p, attr);
            return p;
        }

        private String value(AttributeValue v) {
            String p = ":v" + values.size();
            values.put(p, v);
            return p;
        }

        void set(String attr, AttributeValue v) {
            sets.add(name(attr) + " = " + value(v));
        }

        void setIfNotExists(String attr, AttributeValue v) {
            String n = name(attr);
            sets.add(n + " = if_not_exists(" + n + ", " + value(v) + ")");
        }

        void add(String attr, AttributeValue v) {
            adds.add(name(attr) + " " + value(v));
        }

        void delete(String attr, AttributeValue v) {
            deletes.add(name(attr) + " " + value(v));
        }

        String expression() {
            StringBuilder sb = new StringBuilder();
            if (!sets.isEmpty()) {
                sb.append("SET ").append(String.join(", ", sets));
            }
            if (!adds.isEmpty()) {
                sb.append(" ADD ").append(String.join(", ", adds));
            }
            if (!deletes.isEmpty()) {
                sb.append(" DELETE ").append(String.join(", ", deletes));
            }
            return sb.toString().trim();
        }

        Update toUpdate(String table, Map<String, AttributeValue> key) {
            return Update.builder().tableName(table).key(key).updateExpression(expression())
                    .conditionExpression(condition)
                    .expressionAttributeNames(names).expressionAttributeValues(values).build();
        }

        software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest toUpdateRequest(String table, Map<String, AttributeValue> key) {
            return software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest.builder().tableName(table).key(key)
                    .updateExpression(expression()).expressionAttributeNames(names).expressionAttributeValues(values).build();
        }
    }
}
