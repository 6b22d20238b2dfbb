package dev.quartermaster.common;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.events.EventOrigin;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every feature shares, built once per container: the settings, the SDK clients (each built when
 * first used), the table and where alerts go. It knows no feature: stores and ports are built by their own
 * composition roots ({@code LedgerRoot}, {@code IdempotencyRoot}, {@code RegistryRoot}, {@code HostRoot},
 * {@code BackupRoot}) and kept here, one per container, through {@link #shared}. A port that has no local AWS twin (the
 * registry, the host's command runner, the revocation list, the replication status) is built by its root through
 * {@link #shared} too, so bin/qm and the tests replace it with {@link #with} and every handler is built one way: its
 * constructor from a platform, in Lambda and out.
 * The shared settings are read here, at construction, so a function's reads are all known up front.
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

    public Platform(Settings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.table = settings.get(Setting.TABLE_NAME);
        this.origin = EventOrigin.of(nullIfEmpty(settings.get(Setting.EXPECTED_ACCOUNT)), settings.get("AWS_REGION").orElse(null));
        String topic = nullIfEmpty(settings.get(Setting.ALERT_TOPIC_ARN));
        this.dynamoDb = memo(clients::dynamoDb); // one client (and connection pool) for every store
        this.components = new ConcurrentHashMap<>();
        this.replacements = Map.of();
        this.alerts = memo(() -> topic == null ? new LoggingAlerts() : new SnsAlerts(clients.sns(), topic));
        if (Priming.snapStart()) {
            // built on first use otherwise; under SnapStart the snapshot holds them (building a client calls nothing)
            var unusedClient = dynamoDb.get();
            var unusedAlerts = alerts.get();
            // every function's first table read: an item nobody writes
            Priming.reach("DynamoDB", () -> dynamoDb.get().getItem(b -> b.tableName(table).key(Map.of(
                    "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("qm-priming"),
                    "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("qm-priming")))));
        }
    }

    private Platform(Platform base, Supplier<Alerts> alerts, Map<Class<?>, Object> components, Map<Class<?>, Function<Platform, ?>> replacements) {
        this.settings = base.settings;
        this.clients = base.clients;
        this.table = base.table;
        this.origin = base.origin;
        this.dynamoDb = base.dynamoDb;
        this.components = components;
        this.replacements = Map.copyOf(replacements);
        this.alerts = alerts;
    }

    /** Lambda: everything from the function's environment. */
    public static Platform fromEnvironment() {
        return new Platform(Settings.fromEnvironment());
    }

    /** The same platform, alerting somewhere else (a file for bin/qm, a list in tests). */
    public Platform withAlerts(Alerts replacement) {
        return new Platform(this, () -> replacement, components, replacements);
    }

    /**
     * The same platform with {@code port} built by {@code factory} instead of its root's default (bin/qm's local registry
     * and agent, a test's fakes). Nothing built before is kept: what was built with the default is built again.
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
     * One {@code key} per container (and per copy made with {@link #withAlerts}): built on first use by {@code factory},
     * or by the replacement {@link #with} gave for it.
     */
    public <T> T shared(Class<T> key, Function<Platform, T> factory) {
        Object existing = components.get(key);
        if (existing == null) {
            Function<Platform, ?> build = replacements.getOrDefault(key, factory);
            existing = components.computeIfAbsent(key, k -> build.apply(this));
        }
        return key.cast(existing);
    }

    public Alerts alerts() {
        return alerts.get();
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
