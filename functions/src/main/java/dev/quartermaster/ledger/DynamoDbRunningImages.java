package dev.quartermaster.ledger;

import dev.quartermaster.contract.Host;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.quartermaster.common.DynamoItems.instant;
import static dev.quartermaster.common.DynamoItems.s;
import static dev.quartermaster.common.DynamoItems.str;

/**
 * What each app host runs, read from the release history the release feature writes to the ledger
 * table ({@code RELEASE#<app>#<host>}, newest first): the newest RELEASED or ROLLED_BACK record
 * that names a running digest. A shared reader so image-scan needs no release code; the release
 * store's integration test proves both agree.
 */
public final class DynamoDbRunningImages implements RunningImages {
    static final Set<String> GOOD = Set.of("RELEASED", "ROLLED_BACK");
    private static final int READ = 50;
    private final DynamoDbClient dynamo;
    private final String table;
    private final String app;
    private final List<Host> hosts;

    public DynamoDbRunningImages(
            DynamoDbClient dynamo, String table, String app, List<Host> hosts) {
        this.dynamo = dynamo;
        this.table = table;
        this.app = app;
        this.hosts = hosts.stream().filter(h -> h.runs(Host.Role.APP)).toList();
    }

    @Override
    public List<Running> running() {
        List<Running> out = new ArrayList<>();
        for (Host h : hosts) {
            QueryRequest q =
                    QueryRequest.builder()
                            .tableName(table)
                            .keyConditionExpression("pk = :pk")
                            .expressionAttributeValues(
                                    Map.of(":pk", s("RELEASE#" + app + "#" + h.name())))
                            .scanIndexForward(false)
                            .limit(READ)
                            .build();
            for (Map<String, AttributeValue> i : dynamo.query(q).items()) {
                if (!"CHECK".equals(str(i, "kind"))
                        && GOOD.contains(str(i, "status"))
                        && str(i, "running") != null) {
                    out.add(
                            new Running(
                                    h.name(),
                                    str(i, "repository"),
                                    str(i, "running"),
                                    str(i, "tag"),
                                    instant(i, "finishedAt") != null
                                            ? instant(i, "finishedAt")
                                            : instant(i, "requestedAt")));
                    break;
                }
            }
        }
        return out;
    }
}
