package dev.quartermaster.verify;

import dev.quartermaster.events.Inspector2Finding;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.common.DynamoItems.n;
import static dev.quartermaster.common.DynamoItems.num;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * Findings in the ledger table: {@code FINDING#<repo>@<digest> <findingArn>} with severity, status,
 * vulnerability id, title and {@code updatedMs}; a put is conditional on being newer than the
 * stored version.
 */
public final class DynamoDbFindingStore implements FindingStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbFindingStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static String pk(String repository, String digest) {
        return "FINDING#" + repository + "@" + digest;
    }

    @Override
    public Recorded record(Inspector2Finding f) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk(f.repository(), f.digest())));
        item.put("sk", s(f.findingArn()));
        item.put("severity", s(f.severity()));
        item.put("status", s(f.status()));
        item.put("vulnerabilityId", s(f.vulnerabilityId()));
        item.put("title", s(f.title()));
        item.put("updatedMs", n(f.updatedAt().toEpochMilli()));
        try {
            Map<String, AttributeValue> old =
                    dynamo.putItem(
                                    b ->
                                            b.tableName(table)
                                                    .item(item)
                                                    .conditionExpression(
                                                            "attribute_not_exists(pk) OR updatedMs < :u")
                                                    .expressionAttributeValues(
                                                            Map.of(
                                                                    ":u",
                                                                    n(
                                                                            f.updatedAt()
                                                                                    .toEpochMilli())))
                                                    .returnValues(ReturnValue.ALL_OLD))
                            .attributes();
            return new Recorded(
                    true,
                    old == null || old.isEmpty()
                            ? Optional.empty()
                            : Optional.of(fromItem(f.repository(), f.digest(), old)));
        } catch (ConditionalCheckFailedException e) {
            return new Recorded(false, Optional.empty());
        }
    }

    @Override
    public List<Inspector2Finding> findings(String repository, String digest) {
        QueryRequest q =
                QueryRequest.builder()
                        .tableName(table)
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", s(pk(repository, digest))))
                        .consistentRead(true)
                        .build();
        List<Inspector2Finding> out = new ArrayList<>();
        for (Map<String, AttributeValue> i : dynamo.queryPaginator(q).items()) {
            if (out.size() >= MAX_PER_DIGEST) {
                break;
            }
            out.add(fromItem(repository, digest, i));
        }
        return out;
    }

    private static Inspector2Finding fromItem(
            String repository, String digest, Map<String, AttributeValue> i) {
        return new Inspector2Finding(
                str(i, "sk"),
                repository,
                digest,
                str(i, "severity"),
                str(i, "status"),
                str(i, "vulnerabilityId"),
                str(i, "title"),
                Instant.ofEpochMilli(num(i, "updatedMs", 0)));
    }
}
