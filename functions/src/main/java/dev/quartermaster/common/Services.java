package dev.quartermaster.common;

import dev.quartermaster.ledger.DynamoDbLedgerStore;
import dev.quartermaster.ledger.LedgerStore;

import java.util.function.Supplier;

/**
 * The collaborators handlers need, built once per container. In Lambda everything comes from the
 * environment ({@link #fromEnvironment()}); tests and {@code bin/qm} pass their own settings (local
 * endpoints) and replace the ports that have no local implementation (alerts, SSM) with their own.
 */
public class Services {
    private final Settings settings;
    private final AwsClients clients;
    private final Memo<LedgerStore> ledgerStore;
    private Memo<Alerts> alerts;

    public Services(Settings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.ledgerStore = new Memo<>(() -> new DynamoDbLedgerStore(clients.dynamoDb(), settings.require("TABLE_NAME")));
        this.alerts = new Memo<>(() -> settings.get("ALERT_TOPIC_ARN")
                .<Alerts>map(arn -> new SnsAlerts(clients.sns(), arn))
                .orElseGet(LoggingAlerts::new));
    }

    public static Services fromEnvironment() {
        return new Services(Settings.fromEnvironment());
    }

    public Services withAlerts(Alerts replacement) {
        this.alerts = new Memo<>(() -> replacement);
        return this;
    }

    public Settings settings() {
        return settings;
    }

    public AwsClients clients() {
        return clients;
    }

    public LedgerStore ledgerStore() {
        return ledgerStore.get();
    }

    public Alerts alerts() {
        return alerts.get();
    }

    /** A value built on first use, then kept. */
    protected static final class Memo<T> implements Supplier<T> {
        private final Supplier<T> factory;
        private volatile T value;

        public Memo(Supplier<T> factory) {
            this.factory = factory;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }
    }
}
