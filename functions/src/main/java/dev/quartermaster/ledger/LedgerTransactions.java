package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.quartermaster.common.DynamoItems.bool;
import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.ledger.DynamoDbLedgerStore.MARKER_TTL;
import static dev.quartermaster.ledger.DynamoDbLedgerStore.key;
import static dev.quartermaster.ledger.DynamoDbLedgerStore.repoPk;
import static dev.quartermaster.ledger.DynamoDbLedgerStore.tagPk;
import static dev.quartermaster.ledger.DynamoDbLedgerStore.toJson;

/**
 * The ledger's writes as DynamoDB transactions: what {@link ImageLedger} decided ({@link
 * LedgerWrite}) becomes one transaction (the marker, the image, the heads and history entries,
 * conditioned on the heads' versions), or chunks of one when a delete clears more tags than fit;
 * and the priming of that path after a SnapStart restore.
 */
final class LedgerTransactions {
    private final DynamoDbClient dynamo;
    private final String table;

    LedgerTransactions(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** DynamoDB's limit on the items of one transaction. */
    static final int MAX_TRANSACTION_ITEMS = 100;

    /**
     * One transaction when the write fits in it. A digest delete that clears more tags than fit (60
     * tags are 120 items) first clears them in chunks, each tag's head and history entry together,
     * then commits the marker and the image in the last transaction. Each chunk is safe to repeat:
     * a retry plans again from the heads, and a cleared head no longer points at the digest.
     */
    void apply(LedgerWrite write) {
        ImageAction a = write.action();
        List<TransactWriteItem> items = core(write);
        List<TransactWriteItem> tagItems = tagItems(write);
        if (items.size() + tagItems.size() <= MAX_TRANSACTION_ITEMS) {
            items.addAll(tagItems);
        } else if (write.heads().size() == write.history().size()) {
            applyInChunks(write, a);
        } else {
            throw new IllegalStateException(
                    "event "
                            + a.eventId()
                            + " changes "
                            + tagItems.size()
                            + " tag items, more than one transaction holds");
        }
        try {
            dynamo.transactWriteItems(b -> b.transactItems(items));
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                throw new LedgerStore.DuplicateEventException(a.eventId());
            }
            boolean conflict =
                    reasons.stream()
                            .anyMatch(
                                    r ->
                                            "ConditionalCheckFailed".equals(r.code())
                                                    || "TransactionConflict".equals(r.code()));
            if (conflict) {
                throw new LedgerStore.ConcurrentChangeException(
                        "tag head changed while recording event " + a.eventId());
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
        for (StorageEvent e : write.storageHistory()) {
            core.add(storageHistoryPut(e));
        }
        return core;
    }

    /**
     * The heads and history entries a write changes (each tag's pair side by side in a chunked
     * write).
     */
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
                throw new LedgerStore.ConcurrentChangeException(
                        "a tag changed while clearing the tags of "
                                + a.digest()
                                + "; planning again");
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
        return TransactWriteItem.builder()
                .put(
                        Put.builder()
                                .tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(pk)")
                                .build())
                .build();
    }

    private TransactWriteItem headPut(LedgerWrite.HeadChange h) {
        TagHead next = h.next();
        Map<String, AttributeValue> item =
                new HashMap<>(key(tagPk(next.repository(), next.tag()), "HEAD"));
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
            put.conditionExpression("#v = :v")
                    .expressionAttributeNames(Map.of("#v", "version"))
                    .expressionAttributeValues(Map.of(":v", n(h.expected().version())));
        } else {
            put.conditionExpression("attribute_not_exists(pk)");
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem historyPut(TagEvent e) {
        Map<String, AttributeValue> item =
                new HashMap<>(
                        key(tagPk(e.repository(), e.tag()), "AT#" + e.at() + "#" + e.eventId()));
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
        return TransactWriteItem.builder()
                .put(
                        Put.builder()
                                .tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(pk)")
                                .build())
                .build();
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
        if (c.storageClass() != null) {
            u.set("storageClass", s(c.storageClass().name()));
            u.set("storageClassAt", s(c.at().toString()));
            // an event older than the class recorded never overwrites it (ISO-8601 instants in UTC
            // compare as strings)
            u.condition(
                    "attribute_not_exists(%1$s) OR %1$s <= %2$s",
                    "storageClassAt", s(c.at().toString()));
        }
        // ISO-8601 instants in UTC compare as strings
        switch (c.guard()) {
            case NOT_DELETED_AFTER ->
                    u.condition(
                            "attribute_not_exists(%1$s) OR %1$s <= %2$s",
                            "deletedAt", s(c.at().toString()));
            case NOT_PUSHED_AFTER ->
                    u.condition(
                            "attribute_not_exists(%1$s) OR %1$s <= %2$s",
                            "lastPushedAt", s(c.at().toString()));
            case NONE -> {}
        }
        return TransactWriteItem.builder()
                .update(u.toUpdate(table, key(repoPk(c.repository()), "DIGEST#" + c.digest())))
                .build();
    }

    private TransactWriteItem storageHistoryPut(StorageEvent e) {
        Map<String, AttributeValue> item =
                new HashMap<>(
                        key(
                                repoPk(e.repository()),
                                DynamoDbLedgerStore.storageSk(e.digest(), e.at(), e.eventId())));
        item.put("repository", s(e.repository()));
        item.put("digest", s(e.digest()));
        item.put("at", s(e.at().toString()));
        item.put("storageClass", s(e.storageClass().name()));
        item.put("action", s(e.action().name()));
        item.put("outOfOrder", bool(e.outOfOrder()));
        item.put("eventId", s(e.eventId()));
        return TransactWriteItem.builder()
                .put(
                        Put.builder()
                                .tableName(table)
                                .item(item)
                                .conditionExpression("attribute_not_exists(pk)")
                                .build())
                .build();
    }

    private TransactWriteItem failurePut(FailedAction f) {
        Map<String, AttributeValue> item =
                new HashMap<>(key(repoPk(f.repository()), "FAILURE#" + f.at() + "#" + f.eventId()));
        item.put("at", s(f.at().toString()));
        item.put("action", s(f.action().name()));
        if (f.tag() != null && !f.tag().isEmpty()) {
            item.put("tag", s(f.tag()));
        }
        if (f.digest() != null) {
            item.put("digest", s(f.digest()));
        }
        item.put("eventId", s(f.eventId()));
        return TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(item).build())
                .build();
    }

    /**
     * The write's own transaction, built as {@link #apply} builds it (the domain's path to the
     * SDK's model: keys, expressions, attribute values), and not sent: priming only reads (see
     * common/Primer), and a transaction is a write call even when its condition cancels it.
     */
    void prime(LedgerWrite write) {
        List<TransactWriteItem> items = new ArrayList<>(core(write));
        items.addAll(tagItems(write));
        software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest built =
                software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest.builder()
                        .transactItems(items)
                        .build();
        if (built.transactItems().isEmpty()) {
            throw new IllegalStateException("a write's transaction has no item");
        }
    }
}
