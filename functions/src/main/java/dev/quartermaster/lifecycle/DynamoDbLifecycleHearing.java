package dev.quartermaster.lifecycle;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.Map;

import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * {@link LifecycleHearing} in the ledger table: one item per repository ({@code pk=GUARD#repo,
 * sk=HEARD}), the newest time kept.
 */
public final class DynamoDbLifecycleHearing implements LifecycleHearing {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbLifecycleHearing(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String repository) {
        return Map.of("pk", s("GUARD#" + repository), "sk", s("HEARD"));
    }

    @Override
    public void heard(String repository, Instant at) {
        try {
            // ISO-8601 instants of one precision order as strings: the newer one wins, a late older
            // delivery changes nothing
            dynamo.updateItem(
                    b ->
                            b.tableName(table)
                                    .key(key(repository))
                                    .updateExpression("SET heardAt = :t")
                                    .conditionExpression(
                                            "attribute_not_exists(heardAt) OR heardAt < :t")
                                    .expressionAttributeValues(Map.of(":t", s(at.toString()))));
        } catch (ConditionalCheckFailedException e) {
            // a newer event was recorded already
        }
    }

    @Override
    public Instant lastHeard(String repository) {
        String at =
                str(
                        dynamo.getItem(
                                        b ->
                                                b.tableName(table)
                                                        .key(key(repository))
                                                        .consistentRead(true))
                                .item(),
                        "heardAt");
        return at == null ? null : Instant.parse(at);
    }
}
