package dev.quartermaster.testutils;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.testkit.LocalDynamoDb;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** One DynamoDB Local per test JVM; each test gets its own table. */
public final class LocalLedger {
    private static LocalDynamoDb dynamo;

    private LocalLedger() {}

    public static synchronized LocalDynamoDb dynamo() {
        if (dynamo == null) {
            dynamo = LocalDynamoDb.inMemory();
        }
        return dynamo;
    }

    /** Settings for a fresh, empty ledger table, with local endpoints and dummy credentials. */
    public static Map<String, String> freshTableSettings() {
        String table = "ledger-" + UUID.randomUUID();
        try (var client = dynamo().client()) {
            LocalDynamoDb.createLedgerTable(client, table);
        }
        return new HashMap<>(dynamo().functionSettings(table));
    }

    /** The shared platform on local backends, alerting into {@code alerts}. */
    public static Platform platform(Map<String, String> settings, RecordingAlerts alerts) {
        return new Platform(Settings.of(settings)).withAlerts(alerts);
    }
}
