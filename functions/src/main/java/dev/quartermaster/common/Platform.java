package dev.quartermaster.common;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.events.EventOrigin;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every feature shares, built once per container: the settings, the SDK clients (each built
 * when first used), the table and where alerts go. It knows no feature: stores and ports are built
 * by their own composition roots ({@code LedgerRoot}, {@code IdempotencyRoot}, {@code
 * RegistryRoot}, {@code HostRoot}, {@code BackupRoot}) and kept here, one per container, through
 * {@link #shared}. A port that has no local AWS twin (the registry, the host's command runner, the
 * revocation list, the replication status) is built by its root through {@link #shared} too, so
 * bin/qm and the tests replace it with {@link #with} and every handler is built one way: its
 * constructor from a platform, in Lambda and out. The shared settings are read here, at
 * construction, so a function's reads are all known up front.
 */
public final class Platform {
    private final Settings settings;
    private final AwsClients clients;
    private final String table;
    private final EventOrigin origin;
    private final Supplier<DynamoDbClient> dynamoDb;
    private final Map<Class<?>, Object> components;
    private final Map<Class<?>, Function<Platform, ?>> replacements;
    private final Supplier<Alerts> alerts;
    private final AlertSettings alerting;
    private final Supplier<AlertLog> alertLog;

    /**
     * The alert log's table (empty: none) and the grouping's window, flood threshold and retention,
     * read once.
     */
    private record AlertSettings(
            String table, Duration window, int floodThreshold, Duration retention) {
        static AlertSettings of(Settings s) {
            return new AlertSettings(
                    s.get(Setting.ALERT_TABLE_NAME),
                    Duration.ofMinutes(s.getInt(Setting.ALERT_GROUP_MINUTES)),
                    s.getInt(Setting.ALERT_FLOOD_THRESHOLD),
                    Duration.ofDays(s.getInt(Setting.ALERT_RETENTION_DAYS)));
        }
    }

    public Platform(Settings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.table = settings.get(Setting.TABLE_NAME);
        this.origin =
                EventOrigin.of(
                        nullIfEmpty(settings.get(Setting.EXPECTED_ACCOUNT)),
                        settings.get("AWS_REGION").orElse(null));
        String topic = nullIfEmpty(settings.get(Setting.ALERT_TOPIC_ARN));
        this.dynamoDb = memo(clients::dynamoDb); // one client (and connection pool) for every store
        this.components = new ConcurrentHashMap<>();
        this.replacements = Map.of();
        this.alerting = AlertSettings.of(settings);
        this.alertLog =
                memo(
                        () ->
                                alerting.table().isEmpty()
                                        ? null
                                        : new DynamoDbAlertLog(
                                                dynamoDb.get(),
                                                alerting.table(),
                                                alerting.retention()));
        Supplier<Alerts> publisher =
                memo(
                        () ->
                                topic == null
                                        ? new LoggingAlerts()
                                        : new SnsAlerts(clients.sns(), topic));
        this.alerts = memo(() -> grouped(publisher.get()));
        if (Priming.snapStart()) {
            // built on first use otherwise; under SnapStart the snapshot holds them (building a
            // client calls nothing)
            var unusedClient = dynamoDb.get();
            var unusedAlerts = alerts.get();
            // every function's first table read: an item nobody writes
            Priming.reach(
                    "DynamoDB",
                    () ->
                            dynamoDb.get()
                                    .getItem(
                                            b ->
                                                    b.tableName(table)
                                                            .key(
                                                                    Map.of(
                                                                            "pk",
                                                                                    software.amazon
                                                                                            .awssdk
                                                                                            .services
                                                                                            .dynamodb
                                                                                            .model
                                                                                            .AttributeValue
                                                                                            .fromS(
                                                                                                    "qm-priming"),
                                                                            "sk",
                                                                                    software.amazon
                                                                                            .awssdk
                                                                                            .services
                                                                                            .dynamodb
                                                                                            .model
                                                                                            .AttributeValue
                                                                                            .fromS(
                                                                                                    "qm-priming")))));
            // and its writes, through the guard (answered in-process, never sent), and an alert's
            // publication
            Priming.reach("DynamoDB writes", () -> primeWrites(dynamoDb.get(), table));
            if (topic != null) {
                Priming.reach(
                        "SNS",
                        () ->
                                publisher
                                        .get()
                                        .publish(
                                                new Alert(
                                                        "PRIMING",
                                                        "Quartermaster priming",
                                                        "never sent: answered by the priming guard",
                                                        Map.of("repository", PrimingGuard.MARK))));
            }
        }
    }

    private Platform(
            Platform base,
            Supplier<Alerts> alerts,
            Map<Class<?>, Object> components,
            Map<Class<?>, Function<Platform, ?>> replacements) {
        this.settings = base.settings;
        this.clients = base.clients;
        this.table = base.table;
        this.origin = base.origin;
        this.dynamoDb = base.dynamoDb;
        this.components = components;
        this.replacements = Map.copyOf(replacements);
        this.alerting = base.alerting;
        this.alertLog = base.alertLog;
        this.alerts = alerts;
    }

    /**
     * The table's write operations on a key of {@link PrimingGuard#MARK}: each one's request and
     * answer path, answered by the guard in-process.
     */
    private static void primeWrites(DynamoDbClient dynamo, String table) {
        var key =
                Map.of(
                        "pk",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                PrimingGuard.MARK),
                        "sk",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                PrimingGuard.MARK));
        var value =
                Map.of(
                        ":v",
                        software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("1"));
        dynamo.putItem(
                b -> b.tableName(table).item(key).conditionExpression("attribute_not_exists(pk)"));
        dynamo.updateItem(
                b ->
                        b.tableName(table)
                                .key(key)
                                .updateExpression("SET n = :v")
                                .expressionAttributeValues(value)
                                .returnValues("ALL_NEW"));
        dynamo.deleteItem(b -> b.tableName(table).key(key));
        dynamo.transactWriteItems(
                b ->
                        b.transactItems(
                                t ->
                                        t.put(
                                                p ->
                                                        p.tableName(table)
                                                                .item(key)
                                                                .conditionExpression(
                                                                        "attribute_not_exists(pk)")),
                                t ->
                                        t.update(
                                                u ->
                                                        u.tableName(table)
                                                                .key(key)
                                                                .updateExpression("SET n = :v")
                                                                .expressionAttributeValues(
                                                                        value))));
    }

    /**
     * Every alert through the alert log and its grouping, then to {@code publisher}; straight to it
     * where no log is set.
     */
    private Alerts grouped(Alerts publisher) {
        AlertLog log = alertLog.get();
        return log == null
                ? publisher
                : new GroupedAlerts(
                        log,
                        publisher,
                        java.time.Clock.systemUTC(),
                        alerting.window(),
                        alerting.floodThreshold());
    }

    /** Lambda: everything from the function's environment. */
    public static Platform fromEnvironment() {
        return new Platform(Settings.fromEnvironment());
    }

    /**
     * The same platform, publishing alerts somewhere else (a file for bin/qm, a list in tests),
     * still through the alert log.
     */
    public Platform withAlerts(Alerts replacement) {
        return new Platform(this, memo(() -> grouped(replacement)), components, replacements);
    }

    /**
     * The same platform with {@code port} built by {@code factory} instead of its root's default
     * (bin/qm's local registry and agent, a test's fakes). Nothing built before is kept: what was
     * built with the default is built again.
     */
    public <T> Platform with(Class<T> port, Function<Platform, ? extends T> factory) {
        Map<Class<?>, Function<Platform, ?>> replaced = new java.util.HashMap<>(replacements);
        replaced.put(port, factory);
        return new Platform(this, alerts, new ConcurrentHashMap<>(), replaced);
    }

    public Settings settings() {
        return settings;
    }

    public AwsClients clients() {
        return clients;
    }

    /** The account and region this function accepts events from. */
    public EventOrigin origin() {
        return origin;
    }

    /** The table every store of this platform uses (TABLE_NAME). */
    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    public String table() {
        return table;
    }

    /**
     * One {@code key} per container (and per copy made with {@link #withAlerts}): built on first
     * use by {@code factory}, or by the replacement {@link #with} gave for it.
     */
    public <T> T shared(Class<T> key, Function<Platform, T> factory) {
        Object existing = components.get(key);
        if (existing == null) {
            Function<Platform, ?> build = replacements.getOrDefault(key, factory);
            existing = components.computeIfAbsent(key, k -> build.apply(this));
        }
        return key.cast(existing);
    }

    /** Where alerts go: the alert log's grouping (see {@link GroupedAlerts}), then the topic. */
    public Alerts alerts() {
        return alerts.get();
    }

    /**
     * Settles the alert log's due windows (see {@link GroupedAlerts#sweep}); 0 where no log is set.
     */
    public int sweepAlerts() {
        return alerts() instanceof GroupedAlerts grouped ? grouped.sweep() : 0;
    }

    /**
     * Logs an alert another sender delivered (a CloudWatch alarm); nothing where no log is set (the
     * alarm reached the topic anyway).
     */
    public void logDelivered(Alert alert) {
        if (alerts() instanceof GroupedAlerts grouped) {
            grouped.logDelivered(alert);
        }
    }

    /** The alert log, or empty where no table is set (ALERT_TABLE_NAME). */
    public java.util.Optional<AlertLog> alertLog() {
        return java.util.Optional.ofNullable(alertLog.get());
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    /** A value built on first use, then kept. */
    public static <T> Supplier<T> memo(Supplier<T> factory) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = factory.get();
                }
                return value;
            }
        };
    }
}
