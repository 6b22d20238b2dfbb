package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;
import dev.quartermaster.events.EventParser;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <pre>
 * EVENT#&lt;id&gt;          EVENT                 processed-event marker (+ pending alert), expires
 * TAG#&lt;repo&gt;#&lt;tag&gt;   HEAD                  current digest of the tag, version for optimistic locking
 * TAG#&lt;repo&gt;#&lt;tag&gt;   AT#&lt;iso&gt;#&lt;eventId&gt;    tag history
 * REPO#&lt;repo&gt;         DIGEST#&lt;digest&gt;       image: media types, push times, tags, verdict, scan counts
 * REPO#&lt;repo&gt;         FAILURE#&lt;iso&gt;#&lt;id&gt;    failed push/delete
 * REPO#&lt;repo&gt;         STORAGE#&lt;digest&gt;#&lt;iso&gt;#&lt;id&gt;  storage-class history (archive, restore)
 * </pre>
 */
public final class DynamoDbLedgerStore implements LedgerStore {
    static final Duration MARKER_TTL = Duration.ofDays(90);

    private final DynamoDbClient dynamo;
    private final String table;

    private final LedgerTransactions transactions;

    public DynamoDbLedgerStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
        this.transactions = new LedgerTransactions(dynamo, table);
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
        var item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .key(key(tagPk(repository, tag), "HEAD"))
                                                .consistentRead(true))
                        .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new TagHead(
                        repository,
                        tag,
                        str(item, "digest"),
                        str(item, "lastDigest"),
                        instant(item, "at"),
                        num(item, "version", 0),
                        str(item, "eventId")));
    }

    @Override
    public Optional<ImageRecord> image(String repository, String digest) {
        var item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .key(key(repoPk(repository), "DIGEST#" + digest))
                                                .consistentRead(true))
                        .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toImage(item));
    }

    @Override
    public List<TagEvent> history(String repository, String tag) {
        List<TagEvent> out = new ArrayList<>();
        query(tagPk(repository, tag), "AT#", false)
                .forEach(
                        i ->
                                out.add(
                                        new TagEvent(
                                                repository,
                                                tag,
                                                instant(i, "at"),
                                                ImageAction.Kind.valueOf(str(i, "action")),
                                                str(i, "digest"),
                                                str(i, "previousDigest"),
                                                flag(i, "moved"),
                                                flag(i, "outOfOrder"),
                                                str(i, "eventId"))));
        return out;
    }

    @Override
    public List<ImageRecord> images(String repository) {
        return query(repoPk(repository), "DIGEST#", true).stream()
                .map(DynamoDbLedgerStore::toImage)
                .toList();
    }

    static String storageSk(String digest, Instant at, String eventId) {
        return "STORAGE#" + digest + "#" + at + "#" + eventId;
    }

    @Override
    public List<StorageEvent> storageHistory(String repository, String digest) {
        return query(repoPk(repository), "STORAGE#" + digest + "#", false).stream()
                .map(
                        i ->
                                new StorageEvent(
                                        repository,
                                        digest,
                                        instant(i, "at"),
                                        StorageClass.valueOf(str(i, "storageClass")),
                                        ImageAction.Kind.valueOf(str(i, "action")),
                                        flag(i, "outOfOrder"),
                                        str(i, "eventId")))
                .toList();
    }

    @Override
    public List<FailedAction> failures(String repository) {
        return query(repoPk(repository), "FAILURE#", false).stream()
                .map(
                        i ->
                                new FailedAction(
                                        repository,
                                        instant(i, "at"),
                                        ImageAction.Kind.valueOf(str(i, "action")),
                                        str(i, "tag"),
                                        str(i, "digest"),
                                        str(i, "eventId")))
                .toList();
    }

    private List<Map<String, AttributeValue>> query(String pk, String skPrefix, boolean forward) {
        QueryRequest request =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :p)")
                        .expressionAttributeValues(Map.of(":pk", s(pk), ":p", s(skPrefix)))
                        .scanIndexForward(forward)
                        .consistentRead(true)
                        .build();
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        dynamo.queryPaginator(request).items().forEach(out::add);
        return out;
    }

    @Override
    public void apply(LedgerWrite write) {
        transactions.apply(write);
    }

    @Override
    public void prime(LedgerWrite write) {
        transactions.prime(write);
    }

    @Override
    public Optional<Alert> pendingAlert(String eventId) {
        var item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .key(key("EVENT#" + eventId, "EVENT"))
                                                .consistentRead(true))
                        .item();
        if (item == null || !flag(item, "alertPending")) {
            return Optional.empty();
        }
        return Optional.of(fromJson(str(item, "alert")));
    }

    @Override
    public void alertDelivered(String eventId) {
        dynamo.updateItem(
                b ->
                        b.tableName(table)
                                .key(key("EVENT#" + eventId, "EVENT"))
                                .updateExpression("SET alertPending = :f")
                                .expressionAttributeValues(Map.of(":f", bool(false))));
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
    public void recordScan(
            String repository,
            String digest,
            Map<String, Integer> counts,
            boolean failed,
            Instant at) {
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
    public void acceptScan(
            String repository, String digest, ImageRecord.ScanAcceptance a, boolean failed) {
        Map<String, AttributeValue> m = new HashMap<>();
        a.counts().forEach((k, v) -> m.put(k, n(v)));
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(repository));
        u.set("digest", s(digest));
        u.set("scanFailed", bool(failed));
        u.set("scanAcceptedHow", s(a.how().name()));
        u.set("scanAcceptedBy", s(a.by()));
        u.set("scanAcceptedReason", s(a.reason()));
        u.set("scanAcceptedCounts", AttributeValue.fromM(m));
        u.set("scanAcceptedAt", s(a.at().toString()));
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
    public void recordSignature(String repository, String digest, ImageRecord.Signature sig) {
        UpdateBuilder u = new UpdateBuilder();
        u.set("repository", s(repository));
        u.set("digest", s(digest));
        u.set("signatureState", s(sig.state()));
        u.set("signatureIdentity", s(sig.identity() == null ? "" : sig.identity()));
        u.set("signatureReason", s(sig.reason() == null ? "" : sig.reason()));
        u.set("signedAt", s(sig.signedAt() == null ? "" : sig.signedAt().toString()));
        u.set("signatureCheckedAt", s(sig.at().toString()));
        dynamo.updateItem(u.toUpdateRequest(table, key(repoPk(repository), "DIGEST#" + digest)));
    }

    @Override
    public boolean markDone(String key) {
        Map<String, AttributeValue> item = new HashMap<>(key("DONE#" + key, "DONE"));
        item.put("expiresAt", n(Instant.now().plus(MARKER_TTL).getEpochSecond()));
        try {
            dynamo.putItem(
                    b ->
                            b.tableName(table)
                                    .item(item)
                                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean isDone(String key) {
        var item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .key(key("DONE#" + key, "DONE"))
                                                .consistentRead(true))
                        .item();
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
        Set<String> tags =
                new LinkedHashSet<>(i.containsKey("tags") ? i.get("tags").ss() : List.of());
        ImageRecord.Verification v =
                str(i, "verdict") == null
                        ? null
                        : new ImageRecord.Verification(
                                ImageVerdict.valueOf(str(i, "verdict")),
                                str(i, "promised"),
                                str(i, "found"),
                                str(i, "verdictReason"),
                                num(i, "bytesFetched", 0),
                                num(i, "imageBytes", 0),
                                instant(i, "verifiedAt"));
        Map<String, Integer> scan = new TreeMap<>();
        if (i.containsKey("scanCounts")) {
            i.get("scanCounts").m().forEach((k, val) -> scan.put(k, Integer.parseInt(val.n())));
        }
        return ImageRecord.builder(str(i, "repository"), str(i, "digest"))
                .mediaTypes(str(i, "manifestMediaType"), str(i, "artifactMediaType"))
                .pushed(instant(i, "firstPushedAt"), instant(i, "lastPushedAt"))
                .tags(new java.util.TreeSet<>(tags))
                .deleted(flag(i, "deleted"), instant(i, "deletedAt"))
                .indexDigest(str(i, "indexDigest"))
                .verification(v)
                .scan(i.containsKey("scanCounts") ? scan : null, flag(i, "scanFailed"))
                .archive(
                        i.containsKey("archived")
                                ? new ImageRecord.Archive(
                                        flag(i, "archived"),
                                        num(i, "archiveBytesStored", 0),
                                        num(i, "archiveBytesDeduplicated", 0),
                                        instant(i, "archivedAt"))
                                : null)
                .signature(
                        i.containsKey("signatureState")
                                ? new ImageRecord.Signature(
                                        i.get("signatureState").s(),
                                        blankToNull(i, "signatureIdentity"),
                                        blankToNull(i, "signatureReason"),
                                        blankToNull(i, "signedAt") == null
                                                ? null
                                                : Instant.parse(i.get("signedAt").s()),
                                        instant(i, "signatureCheckedAt"))
                                : null)
                .storage(
                        i.containsKey("storageClass")
                                ? new ImageRecord.Storage(
                                        StorageClass.valueOf(str(i, "storageClass")),
                                        instant(i, "storageClassAt"))
                                : null)
                .scanAcceptance(i.containsKey("scanAcceptedHow") ? scanAcceptance(i) : null)
                .build();
    }

    private static ImageRecord.ScanAcceptance scanAcceptance(Map<String, AttributeValue> i) {
        Map<String, Integer> counts = new TreeMap<>();
        if (i.containsKey("scanAcceptedCounts")) {
            i.get("scanAcceptedCounts")
                    .m()
                    .forEach((k, val) -> counts.put(k, Integer.parseInt(val.n())));
        }
        return new ImageRecord.ScanAcceptance(
                ImageRecord.ScanAcceptance.How.valueOf(str(i, "scanAcceptedHow")),
                str(i, "scanAcceptedBy"),
                str(i, "scanAcceptedReason"),
                counts,
                instant(i, "scanAcceptedAt"));
    }

    static String toJson(Alert a) {
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
            throw new IllegalStateException(
                    "stored alert is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static String blankToNull(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null || v.s().isEmpty() ? null : v.s();
    }
}
