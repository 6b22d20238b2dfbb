package dev.quartermaster.common;

import dev.quartermaster.ledger.DynamoDbLedgerStore;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.registry.EcrAuth;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.verify.VerifyRules;

import java.time.Clock;

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
    private final Memo<RegistryClient> registry;
    private final Memo<VerifyRules> verifyRules;
    private final Memo<software.amazon.awssdk.services.dynamodb.DynamoDbClient> dynamoDb;
    private final Memo<dev.quartermaster.idempotency.IdempotencyStore> idempotency;
    private final Memo<dev.quartermaster.backup.BackupStore> backupStore;
    private final Memo<dev.quartermaster.backup.BackupObjects> backupObjects;
    private Memo<dev.quartermaster.backup.CommandRunner> commandRunner;

    public Services(Settings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.dynamoDb = new Memo<>(clients::dynamoDb); // one client (and connection pool) for every store
        this.ledgerStore = new Memo<>(() -> new DynamoDbLedgerStore(dynamoDb.get(), settings.require("TABLE_NAME")));
        this.alerts = new Memo<>(() -> settings.get("ALERT_TOPIC_ARN")
                .<Alerts>map(arn -> new SnsAlerts(clients.sns(), arn))
                .orElseGet(LoggingAlerts::new));
        this.registry = new Memo<>(() -> new RegistryClient(settings.require("REGISTRY_URL"), registryAuth()));
        this.backupStore = new Memo<>(() -> new dev.quartermaster.backup.DynamoDbBackupStore(dynamoDb.get(), settings.require("TABLE_NAME")));
        this.backupObjects = new Memo<>(() -> new dev.quartermaster.backup.S3BackupObjects(clients.s3()));
        this.commandRunner = new Memo<>(() -> new dev.quartermaster.backup.SsmCommandRunner(clients.ssm(),
                settings.require("BACKUP_BUCKET"), settings.getOrDefault("COMMAND_LOG_GROUP", "/quartermaster/ssm")));
        this.idempotency = new Memo<>(() -> new dev.quartermaster.idempotency.DynamoDbIdempotencyStore(dynamoDb.get(),
                settings.require("TABLE_NAME"), Clock.systemUTC()));
        this.verifyRules = new Memo<>(() -> settings.get("VERIFY_RULES").map(VerifyRules::parse).orElseGet(VerifyRules::defaults));
    }

    private RegistryAuth registryAuth() {
        String mode = settings.getOrDefault("REGISTRY_AUTH", "none");
        return switch (mode) {
            case "ecr" -> new EcrAuth(() -> {
                var data = clients.ecr().getAuthorizationToken().authorizationData().get(0);
                return new EcrAuth.Token(data.authorizationToken(), data.expiresAt());
            }, Clock.systemUTC());
            case "none" -> RegistryAuth.anonymous();
            default -> throw new IllegalStateException("REGISTRY_AUTH='" + mode + "' must be ecr or none");
        };
    }

    public static Services fromEnvironment() {
        return new Services(Settings.fromEnvironment());
    }

    public Services withAlerts(Alerts replacement) {
        this.alerts = new Memo<>(() -> replacement);
        return this;
    }

    public Services withCommandRunner(dev.quartermaster.backup.CommandRunner replacement) {
        this.commandRunner = new Memo<>(() -> replacement);
        return this;
    }

    public dev.quartermaster.backup.BackupStore backupStore() {
        return backupStore.get();
    }

    public dev.quartermaster.backup.BackupObjects backupObjects() {
        return backupObjects.get();
    }

    public dev.quartermaster.backup.CommandRunner commandRunner() {
        return commandRunner.get();
    }

    /** The backup domain service, wired to this container's ports. */
    public dev.quartermaster.backup.BackupService backupService() {
        return new dev.quartermaster.backup.BackupService(dev.quartermaster.backup.BackupConfig.from(settings), backupStore(),
                backupObjects(), commandRunner(), ledgerStore(), idempotency(), alerts(), java.time.Clock.systemUTC());
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

    public dev.quartermaster.idempotency.IdempotencyStore idempotency() {
        return idempotency.get();
    }

    public Alerts alerts() {
        return alerts.get();
    }

    public RegistryClient registry() {
        return registry.get();
    }

    public VerifyRules verifyRules() {
        return verifyRules.get();
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
