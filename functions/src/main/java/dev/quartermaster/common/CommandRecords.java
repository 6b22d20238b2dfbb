package dev.quartermaster.common;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Records of work sent to the host as an SSM command (backups, drills, releases), found again by
 * the command id alone (what SSM's status events carry): each record is written together with a
 * pointer item {@code <prefix><commandId> / CMD}, and settled only from its running status.
 */
public final class CommandRecords {
    private final DynamoDbClient dynamo;
    private final String table;
    private final String pointerPrefix;

    public CommandRecords(DynamoDbClient dynamo, String table, String pointerPrefix) {
        this.dynamo = dynamo;
        this.table = table;
        this.pointerPrefix = pointerPrefix;
    }

    /** Writes the record and its pointer together; false if either exists already. */
    public boolean create(
            String commandId,
            Map<String, AttributeValue> record,
            Map<String, AttributeValue> pointerExtras) {
        Map<String, AttributeValue> index = new HashMap<>(pointerExtras);
        index.put("pk", DynamoItems.s(pointerPrefix + commandId));
        index.put("sk", DynamoItems.s("CMD"));
        index.put("recordPk", record.get("pk"));
        index.put("recordSk", record.get("sk"));
        try {
            dynamo.transactWriteItems(
                    b ->
                            b.transactItems(
                                    TransactWriteItem.builder()
                                            .put(
                                                    Put.builder()
                                                            .tableName(table)
                                                            .item(index)
                                                            .conditionExpression(
                                                                    "attribute_not_exists(pk)")
                                                            .build())
                                            .build(),
                                    TransactWriteItem.builder()
                                            .put(
                                                    Put.builder()
                                                            .tableName(table)
                                                            .item(record)
                                                            .conditionExpression(
                                                                    "attribute_not_exists(pk)")
                                                            .build())
                                            .build()));
            return true;
        } catch (TransactionCanceledException e) {
            return false;
        }
    }

    public Optional<Map<String, AttributeValue>> byCommandId(String commandId) {
        var index =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .consistentRead(true)
                                                .key(
                                                        Map.of(
                                                                "pk",
                                                                DynamoItems.s(
                                                                        pointerPrefix + commandId),
                                                                "sk",
                                                                DynamoItems.s("CMD"))))
                        .item();
        if (index == null || index.isEmpty()) {
            return Optional.empty();
        }
        var item =
                dynamo.getItem(
                                b ->
                                        b.tableName(table)
                                                .consistentRead(true)
                                                .key(
                                                        Map.of(
                                                                "pk",
                                                                index.get("recordPk"),
                                                                "sk",
                                                                index.get("recordSk"))))
                        .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /**
     * Replaces the record if its status is still {@code running}; false if it was settled already.
     */
    public boolean settle(Map<String, AttributeValue> record, String running) {
        try {
            dynamo.putItem(
                    b ->
                            b.tableName(table)
                                    .item(record)
                                    .conditionExpression("#s = :running")
                                    .expressionAttributeNames(Map.of("#s", "status"))
                                    .expressionAttributeValues(
                                            Map.of(":running", DynamoItems.s(running))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
