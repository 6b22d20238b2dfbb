package dev.quartermaster.common;

import dev.quartermaster.events.EventOrigin;
import dev.quartermaster.idempotency.DynamoDbIdempotencyStore;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.DynamoDbLedgerStore;
import dev.quartermaster.ledger.LedgerStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every feature shares, built once per container: the settings, the SDK clients (each built when
 * first used), the ledger table's stores and where alerts go. Feature ports (the registry, SSM, S3)
 * are built by each feature's own composition root ({@code VerifyRoot}, {@code BackupRoot}).
 * The shared settings are read here, at construction, so a function's reads are all known up front.
 */
public final class Platform {
    private final Settings settings;
    private final AwsClients clients;
    private final String table;
    private final EventOrigin origin;
    private final Supplier<DynamoDbClient> dynamoDb;
    private final Supplier<LedgerStore> ledgerStore;
    private final Supplier<IdempotencyStore> idempotency;
    private final Supplier<Alerts> alerts;

    public Platform(Settings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.table = settings.require("TABLE_NAME");
        this.origin = EventOrigin.of(settings.get("EXPECTED_ACCOUNT").orElse(null), settings.get("AWS_REGION").orElse(null));
        String topic = settings.get("ALERT_TOPIC_ARN").orElse(null);
        this.dynamoDb = memo(clients::dynamoDb); // one client (and connection pool) for every store
        this.ledgerStore = memo(() -> new DynamoDbLedgerStore(dynamoDb.get(), table));
        this.idempotency = memo(() -> new DynamoDbIdempotencyStore(dynamoDb.get(), table, Clock.systemUTC()));
        this.alerts = memo(() -> topic == null ? new LoggingAlerts() : new SnsAlerts(clients.sns(), topic));
        if (Priming.snapStart()) {
            // built on first use otherwise; under SnapStart the snapshot holds them (building a client calls nothing)
            dynamoDb.get();
            alerts.get();
        }
    }

    private Platform(Platform base, Alerts replacement) {
        this.settings = base.settings;
        this.clients = base.clients;
        this.table = base.table;
        this.origin = base.origin;
        this.dynamoDb = base.dynamoDb;
        this.ledgerStore = base.ledgerStore;
        this.idempotency = base.idempotency;
        this.alerts = () -> replacement;
    }

    /** Lambda: everything from the function's environment. */
    public static Platform fromEnvironment() {
        return new Platform(Settings.fromEnvironment());
    }

    /** The same platform, alerting somewhere else (a file for bin/qm, a list in tests). */
    public Platform withAlerts(Alerts replacement) {
        return new Platform(this, replacement);
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

    public LedgerStore ledgerStore() {
        return ledgerStore.get();
    }

    public IdempotencyStore idempotency() {
        return idempotency.get();
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
