package dev.quartermaster.cli.local;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.Configuration;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.OptionSource;
import dev.quartermaster.contract.options.Options;
import dev.quartermaster.contract.options.Problems;
import dev.quartermaster.contract.options.SigningOptions;
import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.LocalS3;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The local backends bin/qm runs handlers against, started on first use and stopped on close. State
 * lives under {@code <repo>/.qm/} so the ledger survives between commands.
 */
public final class LocalEnvironment implements AutoCloseable {
    public static final String TABLE = "quartermaster-ledger";
    public static final String ALERT_TABLE = "quartermaster-alerts";
    public static final String BUCKET = "qm-backups";
    public static final String ARCHIVE_BUCKET = "qm-archive";

    /** The local lab's database (seeded on first use): the default one. */
    public static final String DATABASE = Options.DATABASE.defaultValue();

    private final Path stateDir;
    private final boolean ephemeral;
    private final List<AutoCloseable> started = new ArrayList<>();
    private LocalDynamoDb dynamo;
    private LocalS3 s3;
    private LocalMariaDb mariaDb;
    private LocalRegistry registry;

    /**
     * @param ephemeral true: nothing is kept (demo, benchmarks)
     */
    public LocalEnvironment(Path stateDir, boolean ephemeral) {
        this.stateDir = stateDir;
        this.ephemeral = ephemeral;
    }

    public static Path home() {
        return Path.of(System.getProperty("qm.home", ".")).toAbsolutePath().normalize();
    }

    /**
     * The kept local state: {@code <home>/.qm}, or the folder {@code -Dqm.state} names (a test
     * running bin/qm beside the project's own state).
     */
    public static LocalEnvironment persistent() {
        String state = System.getProperty("qm.state", "");
        return new LocalEnvironment(
                state.isBlank() ? home().resolve(".qm") : Path.of(state).toAbsolutePath(), false);
    }

    Path stateDir() {
        return stateDir;
    }

    public synchronized LocalDynamoDb dynamo() {
        if (dynamo == null) {
            dynamo =
                    ephemeral
                            ? LocalDynamoDb.inMemory()
                            : LocalDynamoDb.persistent(stateDir.resolve("dynamodb"));
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
     * Locally there is no WordPress host: when MariaDB has no {@code wordpress} database yet, seed
     * a small WordPress-like one so a local backup has something real to dump.
     */
    public void ensureDatabase(java.io.PrintStream console) {
        if (mariaDb().sql(null, "SHOW DATABASES LIKE '" + DATABASE + "'").isEmpty()) {
            mariaDb().seedWordPress(DATABASE, "Hello from Quartermaster", 500, 1000);
            if (console != null) {
                console.println(
                        "[qm] the local MariaDB had no '"
                                + DATABASE
                                + "' database: seeded a small WordPress-like one (500 posts)");
            }
        }
    }

    public HostScripts hostScripts() {
        return new HostScripts(home(), s3(), mariaDb());
    }

    /**
     * The local buckets, as the stack's outputs name its buckets to the functions: the one producer
     * of these settings locally.
     */
    public static Map<String, String> bucketSettings() {
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.BACKUP_BUCKET, BUCKET);
        m.put(Setting.ARCHIVE_BUCKET, ARCHIVE_BUCKET);
        return names(m);
    }

    /** Settings for the backup functions: the local S3 and the local agent's document names. */
    public Map<String, String> backupSettings() {
        Map<String, String> env = new HashMap<>(settings());
        env.put("AWS_ENDPOINT_URL_S3", s3().endpoint());
        env.putAll(bucketSettings());
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.DATABASE, DATABASE);
        m.put(Setting.DB_CONTAINER, ""); // the local MariaDB runs on the host
        m.put(Setting.DUMP_DOCUMENT, LocalAgent.DUMP_DOCUMENT);
        m.put(Setting.DRILL_DOCUMENT, LocalAgent.DRILL_DOCUMENT);
        env.putAll(names(m));
        env.put(
                "RESTORE_DOCUMENT",
                LocalAgent.RESTORE_DOCUMENT); // bin/qm restore's, not a function's
        env.put(
                "FINGERPRINT_DOCUMENT",
                dev.quartermaster.contract.HostDocument.FINGERPRINT
                        .localName()); // bin/qm rollback's
        return env;
    }

    /**
     * Settings for the archive functions: the local S3's archive bucket, the managed repositories.
     */
    public Map<String, String> archiveSettings() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL_S3", s3().endpoint());
        env.putAll(bucketSettings());
        env.put(
                Setting.MANAGED_REPOSITORIES.name(),
                String.join(",", configuration().repositories()));
        return env;
    }

    private final Map<String, LocalSite> sites = new java.util.LinkedHashMap<>();

    /**
     * The local compose project releases go to (podman), created on first use: the site of the
     * first app host (with one host, the only one).
     */
    public synchronized LocalSite site() {
        return site(hosts().apps().get(0).name());
    }

    /**
     * The site of the app host named {@code host}: one podman-compose project per app host, each on
     * its own port, all sharing this machine's MariaDB and registry. Created on first use.
     *
     * @throws IllegalArgumentException when {@code hosts} names no such app host
     */
    public synchronized LocalSite site(String host) {
        if (hosts().apps().stream().noneMatch(h -> h.name().equals(host))) {
            throw new IllegalArgumentException(
                    "no app host named '"
                            + host
                            + "' in hosts (app hosts: "
                            + String.join(
                                    ", ",
                                    hosts().apps().stream()
                                            .map(dev.quartermaster.contract.Host::name)
                                            .toList())
                            + ")");
        }
        LocalSite site = sites.get(host);
        if (site == null) {
            site = LocalSite.create(stateDir, registry(), host);
            sites.put(host, site);
            if (ephemeral) {
                LocalSite s = site;
                started.add(s::down);
            }
        }
        return site;
    }

    /**
     * Starts every app host's site that does not exist yet on {@code digest}, then waits (up to 10
     * s each) for them to answer.
     */
    public void startMissingSites(String digest, java.io.PrintStream out)
            throws InterruptedException {
        List<LocalSite> started = new ArrayList<>();
        for (LocalSite s : sites()) {
            if (!s.exists()) {
                s.start(digest);
                started.add(s);
            }
        }
        for (LocalSite s : started) {
            out.println(
                    "the local site of "
                            + s.host()
                            + " did not exist: started it (podman-compose, "
                            + s.healthUrl()
                            + ") on "
                            + digest.substring(0, Math.min(19, digest.length()))
                            + ", serving "
                            + s.awaitAnswer(java.time.Duration.ofSeconds(10)));
        }
    }

    /** Every app host's site, in the order of {@code hosts}. */
    public synchronized List<LocalSite> sites() {
        return hosts().apps().stream().map(h -> site(h.name())).toList();
    }

    /**
     * The hosts the local agent stands for: cdk.json's {@code hosts} with the -c overrides, as the
     * stack would read them (one host running app and database unless configured).
     */
    public dev.quartermaster.contract.options.HostOptions hosts() {
        return configuration().hosts();
    }

    /**
     * Settings for the release functions: the local site's registry and the local agent's document
     * names.
     */
    public Map<String, String> releaseSettings() {
        Map<String, String> env = new HashMap<>(settings()); // the table, as every function has it
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.RELEASE_REPOSITORY, configuration().release().repository());
        m.put(Setting.RELEASE_IMAGE_URI, site().imageRepo());
        m.put(Setting.RELEASE_DOCUMENT, LocalAgent.RELEASE_DOCUMENT);
        m.put(Setting.RELEASE_CHECK_DOCUMENT, LocalAgent.CHECK_DOCUMENT);
        m.put(Setting.HOSTS, hosts().json());
        m.put(
                Setting.REGISTRY_URL,
                registry().url()); // the release marks go on the local registry's images
        m.put(Setting.REGISTRY_AUTH, "none");
        env.putAll(names(m));
        return env;
    }

    /**
     * The local dead-letter queue: one file per event a local invoke failed on (where Lambda would
     * retry, then dead-letter it).
     */
    public Path deadLettersDir() {
        return stateDir().resolve("dead-letters");
    }

    /** Where the local functions' alerts are written (one JSON line each). */
    public Path alertsFile() {
        return stateDir().resolve("alerts.jsonl");
    }

    private List<String> context = List.of();

    /**
     * The configuration of {@link #context}: settings() is asked several times per command,
     * cdk.json is read once.
     */
    private Configuration configuration;

    /** cdk.json's context with these -c overrides decides the local options, as cdk would. */
    public LocalEnvironment context(List<String> overrides) {
        this.context = overrides == null ? List.of() : List.copyOf(overrides);
        this.configuration = null;
        return this;
    }

    /**
     * The configuration the stack would read (cdk.json's context and the -c overrides, through the
     * same declarations), with the local stand-ins where the stack would have AWS: the sample
     * events' account and region as home, and with {@code signing=managed} the local signer's
     * profile and root unless others are named.
     *
     * @throws IllegalArgumentException every problem, as synth would say it (an undeclared key
     *     among them)
     */
    public synchronized Configuration configuration() {
        if (configuration == null) {
            configuration = configuration(Options.ALL);
        }
        return configuration;
    }

    /**
     * As {@link #configuration()}, with {@code declared} the options that exist (a test declares
     * one more).
     */
    public Configuration configuration(List<Option<?>> declared) {
        return Configuration.read(
                localSource(OptionSource.cdkJson(home(), context), LOCAL_ACCOUNT), declared);
    }

    private OptionSource localSource(OptionSource source, String homeAccount) {
        OptionSource local =
                source.withFallback(Options.HOME_ACCOUNT, homeAccount)
                        .withFallback(Options.HOME_REGION, LOCAL_REGION);
        if (Options.SIGNING.read(source, new Problems()).equals("managed")) {
            local = local.withFallback(Options.SIGNING_IDENTITIES, List.of(LocalSigning.PROFILE));
            if (!Options.SIGNING_TRUST_ROOTS.isSet(source)) {
                local =
                        local.withFallback(
                                Options.SIGNING_TRUST_ROOTS, signing().rootPem().toString());
            }
        }
        return local;
    }

    /**
     * The local stand-in for ECR managed signing and AWS Signer (its chain is made on first use).
     */
    public LocalSigning signing() {
        return new LocalSigning(stateDir().resolve("signing"));
    }

    /**
     * The signature gate's settings, from the configuration's signing slice (paths made absolute:
     * the functions run here).
     */
    public Map<String, String> signingSettings() {
        SigningOptions s = configuration().signing();
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.SIGNING, s.mode());
        m.put(Setting.SIGNATURE_REQUIRED, json(s.required()));
        m.put(Setting.SIGNING_IDENTITIES, json(s.identities()));
        m.put(Setting.SIGNING_TRUST_ROOTS, absolute(s.trustRootsPath()));
        m.put(Setting.SIGNING_X509_TRUST_ROOTS, absolute(s.x509TrustRootsPath()));
        m.put(Setting.SIGNATURE_REVOCATION_CHECK, s.revocationEnforced() ? "enforce" : "skip");
        m.put(Setting.SIGNING_WAIT_SECONDS, Integer.toString(s.waitSeconds()));
        return names(m);
    }

    /**
     * Locally the home account is the one the sample events in events/ name (a replication
     * destination without an account is in it).
     */
    public static final String LOCAL_ACCOUNT = "123456789012";

    /** Locally the home region is the one the sample events in events/ name. */
    public static final String LOCAL_REGION = "us-east-1";

    /**
     * The registry estate's settings from the configuration, as the stack would set them: the
     * replication destinations (each with its account), the deadline, the managed repositories; the
     * app's repository and the hosts for image-scan.
     */
    public Map<String, String> estateSettings() {
        Configuration c = configuration();
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.REPLICATION_DESTINATIONS, destinationsJson(destinations()));
        m.put(
                Setting.REPLICATION_DEADLINE_MINUTES,
                Integer.toString(c.estate().replicationDeadlineMinutes()));
        m.put(Setting.REPLICATION_REPOSITORIES, json(c.repositories()));
        m.put(Setting.RELEASE_REPOSITORY, c.release().repository());
        m.put(Setting.HOSTS, c.hosts().json());
        return names(m);
    }

    /** The replication destinations the configuration names, with their accounts. */
    public List<dev.quartermaster.replication.Destination> destinations() {
        return destinations(homeAccount());
    }

    /**
     * The replication destinations the configuration names, a destination without an account being
     * in {@code home}.
     */
    public List<dev.quartermaster.replication.Destination> destinations(String home) {
        OptionSource source =
                localSource(OptionSource.cdkJson(home(), context), home)
                        .withFallback(Options.HOME_ACCOUNT, home);
        return Configuration.read(source).estate().replication().stream()
                .map(
                        d ->
                                new dev.quartermaster.replication.Destination(
                                        d.region(), d.account() == null ? home : d.account()))
                .toList();
    }

    /** The managed repositories as the configuration names them. */
    public List<String> managedRepositories() {
        return configuration().repositories();
    }

    /** Locally the home account: -c homeAccount=, else the one the sample events name. */
    public String homeAccount() {
        return configuration().estate().homeAccount();
    }

    private static String destinationsJson(List<dev.quartermaster.replication.Destination> list) {
        return json(
                list.stream()
                        .map(d -> Map.of("region", d.region(), "account", d.account()))
                        .toList());
    }

    private static String json(Object value) {
        return dev.quartermaster.events.EventParser.JSON.valueToTree(value).toString();
    }

    private static String absolute(String path) {
        return path.isEmpty() ? "" : Path.of(path).toAbsolutePath().toString();
    }

    /** Settings by their environment names. */
    private static Map<String, String> names(Map<Setting, String> settings) {
        Map<String, String> out = new HashMap<>();
        settings.forEach((k, v) -> out.put(k.name(), v));
        return out;
    }

    private final Map<String, LocalRegistry> replicaRegistries = new java.util.HashMap<>();

    /**
     * The local stand-in for a destination's registry (a second Debian docker-registry), started on
     * first use.
     */
    public synchronized LocalRegistry replicaRegistry(dev.quartermaster.replication.Destination d) {
        return replicaRegistries.computeIfAbsent(
                d.key(),
                k -> {
                    LocalRegistry r =
                            LocalRegistry.filesystem(
                                    stateDir.resolve("replicas")
                                            .resolve(d.region() + "-" + d.account()));
                    started.add(r);
                    return r;
                });
    }

    /**
     * The alert log's settings: the local table, the grouping window, flood threshold and retention
     * from cdk.json's context (and -c overrides).
     */
    public Map<String, String> alertSettings() {
        dev.quartermaster.contract.options.AlertOptions a = configuration().operations().alerts();
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(Setting.ALERT_TABLE_NAME, ALERT_TABLE);
        m.put(Setting.ALERT_GROUP_MINUTES, Integer.toString(a.groupMinutes()));
        m.put(Setting.ALERT_FLOOD_THRESHOLD, Integer.toString(a.floodThreshold()));
        m.put(Setting.ALERT_RETENTION_DAYS, Integer.toString(a.retentionDays()));
        return names(m);
    }

    /**
     * Function settings pointing at the local backends (the same variables the stack sets in AWS).
     */
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
