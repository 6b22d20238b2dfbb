package dev.quartermaster.testkit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DynamoDB Local, in this JVM, listening on a loopback port so handlers reach it over HTTP exactly
 * as they reach DynamoDB. In memory, or kept in a folder between runs ({@code bin/qm}).
 */
public final class LocalDynamoDb implements AutoCloseable {
    private final DynamoDBProxyServer server;
    private final int port;
    private final Path folder;

    private LocalDynamoDb(DynamoDBProxyServer server, int port, Path folder) {
        this.server = server;
        this.port = port;
        this.folder = folder;
    }

    public static LocalDynamoDb inMemory() {
        return start(null);
    }

    public static LocalDynamoDb persistent(Path folder) {
        return start(folder);
    }

    private static LocalDynamoDb start(Path folder) {
        return start(folder, Net.freePort());
    }

    /**
     * Fault injection: stops this (persistent) DynamoDB Local and starts a new one on the same port
     * and folder after {@code down}; requests in between fail to connect, as during an outage.
     */
    public LocalDynamoDb restart(java.time.Duration down) {
        if (folder == null) {
            throw new IllegalStateException(
                    "only a persistent DynamoDB Local keeps its data across a restart");
        }
        close();
        try {
            Thread.sleep(down.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return start(folder, port);
    }

    private static LocalDynamoDb start(Path folder, int port) {
        System.setProperty(
                "sqlite4java.library.path", System.getProperty("sqlite4java.library.path", ""));
        List<String> args =
                new ArrayList<>(List.of("-disableTelemetry", "-port", Integer.toString(port)));
        try {
            if (folder == null) {
                args.addAll(List.of("-inMemory", "-sharedDb"));
            } else {
                Files.createDirectories(folder);
                args.addAll(List.of("-sharedDb", "-dbPath", folder.toAbsolutePath().toString()));
            }
            DynamoDBProxyServer server;
            java.io.PrintStream stdout = System.out;
            System.setOut(
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream())); // its banner
            try {
                server = ServerRunner.createServerFromCommandLineArgs(args.toArray(String[]::new));
                bindToLoopback(server);
                server.start();
            } finally {
                System.setOut(stdout);
            }
            return new LocalDynamoDb(server, port, folder);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    /**
     * DynamoDB Local has no option for its listen address and binds every interface: set its Jetty
     * connectors' host to 127.0.0.1 before it starts (by reflection: Jetty is DynamoDB Local's own
     * dependency, not ours).
     */
    private static void bindToLoopback(DynamoDBProxyServer proxy)
            throws ReflectiveOperationException {
        java.lang.reflect.Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Object jetty = f.get(proxy);
        Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind to 127.0.0.1");
        }
        for (Object c : connectors) {
            c.getClass().getMethod("setHost", String.class).invoke(c, "127.0.0.1");
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public DynamoDbClient client() {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("test", "test")))
                .build();
    }

    /**
     * The environment a function needs to use {@code table} here: what the stack sets in AWS, local
     * endpoint and dummy keys.
     */
    public java.util.Map<String, String> functionSettings(String table) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("TABLE_NAME", table);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        return env;
    }

    /** The ledger table exactly as the CDK stack defines its keys (pk/sk strings, on demand). */
    public static void createLedgerTable(DynamoDbClient client, String name) {
        try {
            client.createTable(
                    b ->
                            b.tableName(name)
                                    .billingMode(BillingMode.PAY_PER_REQUEST)
                                    .attributeDefinitions(
                                            AttributeDefinition.builder()
                                                    .attributeName("pk")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("sk")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build())
                                    .keySchema(
                                            KeySchemaElement.builder()
                                                    .attributeName("pk")
                                                    .keyType(KeyType.HASH)
                                                    .build(),
                                            KeySchemaElement.builder()
                                                    .attributeName("sk")
                                                    .keyType(KeyType.RANGE)
                                                    .build()));
        } catch (ResourceInUseException alreadyThere) {
            // kept from an earlier run
        }
    }

    /**
     * The alert log table exactly as the CDK stack defines it: pk/sk strings, the index Recent
     * (log, lastAt as a number) and the index Due (due, dueAt as a number), both projecting every
     * attribute.
     */
    public static void createAlertTable(DynamoDbClient client, String name) {
        try {
            client.createTable(
                    b ->
                            b.tableName(name)
                                    .billingMode(BillingMode.PAY_PER_REQUEST)
                                    .attributeDefinitions(
                                            AttributeDefinition.builder()
                                                    .attributeName("pk")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("sk")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("log")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("lastAt")
                                                    .attributeType(ScalarAttributeType.N)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("due")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build(),
                                            AttributeDefinition.builder()
                                                    .attributeName("dueAt")
                                                    .attributeType(ScalarAttributeType.N)
                                                    .build())
                                    .keySchema(
                                            KeySchemaElement.builder()
                                                    .attributeName("pk")
                                                    .keyType(KeyType.HASH)
                                                    .build(),
                                            KeySchemaElement.builder()
                                                    .attributeName("sk")
                                                    .keyType(KeyType.RANGE)
                                                    .build())
                                    .globalSecondaryIndexes(
                                            index("Recent", "log", "lastAt"),
                                            index("Due", "due", "dueAt")));
        } catch (ResourceInUseException alreadyThere) {
            // kept from an earlier run
        }
    }

    private static software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex index(
            String name, String hash, String range) {
        return software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex.builder()
                .indexName(name)
                .keySchema(
                        KeySchemaElement.builder()
                                .attributeName(hash)
                                .keyType(KeyType.HASH)
                                .build(),
                        KeySchemaElement.builder()
                                .attributeName(range)
                                .keyType(KeyType.RANGE)
                                .build())
                .projection(
                        p ->
                                p.projectionType(
                                        software.amazon.awssdk.services.dynamodb.model
                                                .ProjectionType.ALL))
                .build();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
