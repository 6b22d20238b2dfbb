package dev.quartermaster.cli.local;

import dev.quartermaster.cli.*;
import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.bench.*;
import dev.quartermaster.cli.demo.*;

import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.LocalS3;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The local backends bin/qm runs handlers against, started on first use and stopped on close.
 * State lives under {@code <repo>/.qm/} so the ledger survives between commands.
 */
public final class LocalEnvironment implements AutoCloseable {
    public static final String TABLE = "quartermaster-ledger";
    public static final String ALERT_TABLE = "quartermaster-alerts";
    public static final String BUCKET = "qm-backups";
    public static final String ARCHIVE_BUCKET = "qm-archive";
    public static final String DATABASE = "wordpress";

    private final Path stateDir;
    private final boolean ephemeral;
    private final List<AutoCloseable> started = new ArrayList<>();
    private LocalDynamoDb dynamo;
    private LocalS3 s3;
    private LocalMariaDb mariaDb;
    private LocalRegistry registry;

    /** @param ephemeral true: nothing is kept (demo, benchmarks) */
    public LocalEnvironment(Path stateDir, boolean ephemeral) {
        this.stateDir = stateDir;
        this.ephemeral = ephemeral;
    }

    public static Path home() {
        return Path.of(System.getProperty("qm.home", ".")).toAbsolutePath().normalize();
    }

    public static LocalEnvironment persistent() {
        return new LocalEnvironment(home().resolve(".qm"), false);
    }

    Path stateDir() {
        return stateDir;
    }

    public synchronized LocalDynamoDb dynamo() {
        if (dynamo == null) {
            dynamo = ephemeral ? LocalDynamoDb.inMemory() : LocalDynamoDb.persistent(stateDir.resolve("dynamodb"));
            started.add(dynamo);
            try (var client = dynamo.client()) {
                LocalDynamoDb.createLedgerTable(client, TABLE);
                LocalDynamoDb.createAlertTable(client, ALERT_TABLE);
            }
        }
        return dynamo;
    }

    public synchronized LocalS3 s3() {
        if (s3 == null) {
            s3 = LocalS3.start(stateDir.resolve("s3"), java.util.List.of(BUCKET, ARCHIVE_BUCKET));
            started.add(s3);
        }
        return s3;
    }

    public synchronized LocalMariaDb mariaDb() {
        if (mariaDb == null) {
            mariaDb = LocalMariaDb.start(stateDir.resolve("mariadb"));
            started.add(mariaDb);
        }
        return mariaDb;
    }

    public synchronized LocalRegistry registry() {
        if (registry == null) {
            registry = LocalRegistry.filesystem(stateDir.resolve("registry"));
            started.add(registry);
        }
        return registry;
    }

    /**
     * Locally there is no WordPress host: when MariaDB has no {@code wordpress} database yet, seed a
     * small WordPress-like one so a local backup has something real to dump.
     */
    public void ensureDatabase(java.io.PrintStream console) {
        if (mariaDb().sql(null, "SHOW DATABASES LIKE '" + DATABASE + "'").isEmpty()) {
            mariaDb().seedWordPress(DATABASE, "Hello from Quartermaster", 500, 1000);
            if (console != null) {
                console.println("[qm] the local MariaDB had no '" + DATABASE + "' database: seeded a small WordPress-like one (500 posts)");
            }
        }
    }

    public HostScripts hostScripts() {
        return new HostScripts(home(), s3(), mariaDb());
    }

    /** Settings for the backup functions: the local S3 and the local agent's document names. */
    public Map<String, String> backupSettings() {
        Map<String, String> env = new HashMap<>(settings());
        env.put("AWS_ENDPOINT_URL_S3", s3().endpoint());
        env.put("BACKUP_BUCKET", BUCKET);
        env.put("DATABASE", DATABASE);
        env.put("DB_CONTAINER", "");
        env.put("DUMP_DOCUMENT", LocalAgent.DUMP_DOCUMENT);
        env.put("RESTORE_DOCUMENT", LocalAgent.RESTORE_DOCUMENT);
        env.put("DRILL_DOCUMENT", LocalAgent.DRILL_DOCUMENT);
        return env;
    }

    /** Settings for the archive functions: the local S3's archive bucket, the lab's repository. */
    public Map<String, String> archiveSettings() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL_S3", s3().endpoint());
        env.put("ARCHIVE_BUCKET", ARCHIVE_BUCKET);
        env.put("MANAGED_REPOSITORIES", "wordpress");
        return env;
    }

    private LocalSite site;

    /** The local compose project releases go to (podman), created on first use. */
    public synchronized LocalSite site() {
        if (site == null) {
            site = LocalSite.create(stateDir, registry());
            if (ephemeral) {
                LocalSite s = site;
                started.add(s::down);
            }
        }
        return site;
    }

    /** Settings for the release functions: the local site's registry and the local agent's document names. */
    public Map<String, String> releaseSettings() {
        Map<String, String> env = new HashMap<>(settings()); // the table, as every function has it
        env.put("RELEASE_REPOSITORY", "wordpress");
        env.put("RELEASE_IMAGE_URI", site().imageRepo());
        env.put("RELEASE_DOCUMENT", LocalAgent.RELEASE_DOCUMENT);
        env.put("RELEASE_CHECK_DOCUMENT", LocalAgent.CHECK_DOCUMENT);
        env.put("HOSTS", dev.quartermaster.contract.Setting.HOSTS.defaultValue()); // one local host runs the app and the database
        env.put("REGISTRY_URL", registry().url()); // the release marks go on the local registry's images
        env.put("REGISTRY_AUTH", "none");
        return env;
    }

    /** The local dead-letter queue: one file per event a local invoke failed on (where Lambda would retry, then dead-letter it). */
    public Path deadLettersDir() {
        return stateDir().resolve("dead-letters");
    }

    /** Where the local functions' alerts are written (one JSON line each). */
    public Path alertsFile() {
        return stateDir().resolve("alerts.jsonl");
    }

    private java.util.List<String> context = java.util.List.of();
    /** signingSettings() as read for {@link #context}: settings() is asked several times per command, cdk.json is read once. */
    private Map<String, String> signingSettings;

    /** cdk.json's context with these -c overrides decides the local options (the signature gate's, here), as cdk would. */
    public LocalEnvironment context(java.util.List<String> overrides) {
        this.context = overrides == null ? java.util.List.of() : java.util.List.copyOf(overrides);
        this.signingSettings = null;
        return this;
    }

    /** The local stand-in for ECR managed signing and AWS Signer (its chain is made on first use). */
    public LocalSigning signing() {
        return new LocalSigning(stateDir().resolve("signing"));
    }

    /**
     * The signature gate's settings from cdk.json's context (and -c overrides): with {@code signing=managed} the local
     * stand-in signs, its profile is trusted and its root is the trust root unless others are named.
     */
    public Map<String, String> signingSettings() {
        if (signingSettings == null) {
            signingSettings = Map.copyOf(readSigningSettings());
        }
        return signingSettings;
    }

    private Map<String, String> readSigningSettings() {
        dev.quartermaster.cli.CdkContext cdk = dev.quartermaster.cli.CdkContext.read(home(), context);
        String mode = java.util.Objects.requireNonNullElse(cdk.text("signing"), "off");
        if (!mode.equals("off") && !mode.equals("managed")) {
            throw new IllegalArgumentException("signing must be off or managed, not '" + mode + "'");
        }
        boolean managed = mode.equals("managed");
        Map<String, String> env = new java.util.HashMap<>();
        env.put("SIGNING", mode);
        String repositories = java.util.Objects.requireNonNullElse(cdk.text("repositories"), "[\"wordpress\"]");
        env.put("SIGNATURE_REQUIRED", java.util.Objects.requireNonNullElse(cdk.text("signatureRequired"), managed ? repositories : "[]"));
        String identities = cdk.text("signingIdentities");
        if (identities == null && managed) {
            identities = "[\"" + LocalSigning.PROFILE + "\"]";
        }
        env.put("SIGNING_IDENTITIES", java.util.Objects.requireNonNullElse(identities, "[]"));
        String roots = cdk.text("signingTrustRoots");
        if (roots != null) {
            roots = Path.of(roots).toAbsolutePath().toString();
        } else if (managed) {
            roots = signing().rootPem().toString();
        }
        env.put("SIGNING_TRUST_ROOTS", java.util.Objects.requireNonNullElse(roots, ""));
        String x509Roots = cdk.text("signingX509TrustRoots"); // the CAs of x509.subject identities: none unless given
        env.put("SIGNING_X509_TRUST_ROOTS", x509Roots == null ? "" : Path.of(x509Roots).toAbsolutePath().toString());
        env.put("SIGNATURE_REVOCATION_CHECK", java.util.Objects.requireNonNullElse(cdk.text("signatureRevocationCheck"), "enforce"));
        env.put("SIGNING_WAIT_SECONDS", java.util.Objects.requireNonNullElse(cdk.text("signingWaitSeconds"), "60"));
        return env;
    }

    /** Locally the home account is the one the sample events in events/ name (a replication destination without an account is in it). */
    public static final String LOCAL_ACCOUNT = "123456789012";

    /**
     * The registry estate's settings from cdk.json's context (and -c overrides), as the stack would set them:
     * the replication destinations (each with its account), the deadline, the managed repositories; the app's repository
     * and hosts for image-scan.
     */
    public Map<String, String> estateSettings() {
        dev.quartermaster.cli.CdkContext cdk = dev.quartermaster.cli.CdkContext.read(home(), context);
        String home = homeAccount();
        Map<String, String> env = new java.util.HashMap<>();
        String replication = java.util.Objects.requireNonNullElse(cdk.text("replication"), "[]");
        env.put("REPLICATION_DESTINATIONS", destinationsJson(dev.quartermaster.replication.Destination.parseList(replication, home)));
        env.put("REPLICATION_DEADLINE_MINUTES", Integer.toString(cdk.integer("replicationDeadlineMinutes", 60)));
        String repositories = java.util.Objects.requireNonNullElse(cdk.text("repositories"), "[\"wordpress\"]");
        env.put("REPLICATION_REPOSITORIES", repositories.startsWith("[") ? repositories : jsonList(repositories.split(",")));
        env.put("RELEASE_REPOSITORY", java.util.Objects.requireNonNullElse(cdk.text("releaseRepository"), "wordpress"));
        env.put("HOSTS", dev.quartermaster.contract.Setting.HOSTS.defaultValue());
        return env;
    }

    /** The replication destinations cdk.json's context (and -c overrides) name, with their accounts. */
    public java.util.List<dev.quartermaster.replication.Destination> destinations() {
        return dev.quartermaster.replication.Destination.parseList(estateSettings().get("REPLICATION_DESTINATIONS"), LOCAL_ACCOUNT);
    }

    /** The replication destinations cdk.json's context (and -c overrides) name, a destination without an account being in {@code home}. */
    public java.util.List<dev.quartermaster.replication.Destination> destinations(String home) {
        String replication = java.util.Objects.requireNonNullElse(dev.quartermaster.cli.CdkContext.read(home(), context).text("replication"), "[]");
        return dev.quartermaster.replication.Destination.parseList(replication, home);
    }

    /** The managed repositories as cdk.json's context (and -c overrides) name them. */
    public java.util.List<String> managedRepositories() {
        return dev.quartermaster.replication.ReplicationRoot.repositories(estateSettings().get("REPLICATION_REPOSITORIES"));
    }

    /** Locally the home account: -c homeAccount=, else the one the sample events name. */
    public String homeAccount() {
        return java.util.Objects.requireNonNullElse(dev.quartermaster.cli.CdkContext.read(home(), context).text("homeAccount"), LOCAL_ACCOUNT);
    }

    private static String destinationsJson(java.util.List<dev.quartermaster.replication.Destination> list) {
        return list.stream().map(d -> "{\"region\":\"" + d.region() + "\",\"account\":\"" + d.account() + "\"}")
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private static String jsonList(String[] items) {
        return java.util.Arrays.stream(items).map(String::trim).filter(x -> !x.isEmpty()).map(x -> "\"" + x + "\"")
                .collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    private final Map<String, LocalRegistry> replicaRegistries = new java.util.HashMap<>();

    /** The local stand-in for a destination's registry (a second Debian docker-registry), started on first use. */
    public synchronized LocalRegistry replicaRegistry(dev.quartermaster.replication.Destination d) {
        return replicaRegistries.computeIfAbsent(d.key(), k -> {
            LocalRegistry r = LocalRegistry.filesystem(stateDir.resolve("replicas").resolve(d.region() + "-" + d.account()));
            started.add(r);
            return r;
        });
    }

    /** The alert log's settings: the local table, the grouping window, flood threshold and retention from cdk.json's context (and -c overrides). */
    public Map<String, String> alertSettings() {
        dev.quartermaster.cli.CdkContext cdk = dev.quartermaster.cli.CdkContext.read(home(), context);
        return Map.of("ALERT_TABLE_NAME", ALERT_TABLE,
                "ALERT_GROUP_MINUTES", Integer.toString(cdk.integer("alertGroupMinutes", dev.quartermaster.contract.Setting.ALERT_GROUP_MINUTES.intDefault())),
                "ALERT_FLOOD_THRESHOLD", Integer.toString(cdk.integer("alertFloodThreshold", dev.quartermaster.contract.Setting.ALERT_FLOOD_THRESHOLD.intDefault())),
                "ALERT_RETENTION_DAYS", Integer.toString(cdk.integer("alertRetentionDays", dev.quartermaster.contract.Setting.ALERT_RETENTION_DAYS.intDefault())));
    }

    /** Function settings pointing at the local backends (the same variables the stack sets in AWS). */
    Map<String, String> settings() {
        Map<String, String> env = new java.util.HashMap<>(dynamo().functionSettings(TABLE));
        env.putAll(alertSettings());
        env.putAll(signingSettings());
        env.putAll(estateSettings());
        return env;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("[qm] could not stop " + started.get(i) + ": " + e.getMessage());
            }
        }
        started.clear();
    }
}
