package dev.quartermaster.contract.options;

import dev.quartermaster.contract.DeployRecord;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.Setting;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every cdk.json option, declared once: key, type, default, validation, the settings it feeds, one
 * line of help. The stack ({@code infra}) and {@code bin/qm} ({@code cli}) read them only through
 * these declarations and the slices {@link Configuration#read} builds; the configuration table in
 * docs/configuration.md is {@link #markdownTable()}. A key no declaration names is refused, with
 * the closest declared one.
 */
public final class Options {
    private Options() {}

    static final String ESTATE = "estate",
            HOSTS_AREA = "hosts",
            BACKUPS = "backups",
            ARCHIVE = "archive",
            RELEASE = "release",
            LIFECYCLE = "lifecycle",
            SIGNING_AREA = "signing",
            CHECKS = "checks",
            OPERATIONS = "operations",
            APP = "app";

    static final Pattern REPOSITORY =
            Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern REPOSITORY_PATTERN = Pattern.compile("[a-z0-9._/*-]{1,256}");
    static final Pattern MUTABLE_TAG = Pattern.compile("[A-Za-z0-9_.*-]{1,128}");
    static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    static final Pattern ORGANIZATION = Pattern.compile("o-[a-z0-9]{10,32}");
    static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    static final Pattern CONTAINER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final Pattern SSM_PARAMETER = Pattern.compile("/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    static final Pattern ABSOLUTE_PATH = Pattern.compile("/[A-Za-z0-9/_.-]+");
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern HEALTH_URL_PATTERN =
            Pattern.compile("https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9/_.~%?=&-]*)?");
    static final Pattern SIGNER_PROFILE =
            Pattern.compile(
                    "arn:aws[a-z-]*:signer:[a-z0-9-]+:[0-9]{12}:/signing-profiles/[A-Za-z0-9_]{2,64}(/[A-Za-z0-9]{10})?");

    /** Registry-wide settings the context may say another stack or team owns. */
    static final List<String> REGISTRY_WIDE = List.of("replication", "scanning");

    // ---- the registry estate ----
    public static final Option<List<String>> REPOSITORIES =
            Option.list(
                            ESTATE,
                            "repositories",
                            List.of("wordpress"),
                            r ->
                                    r.length() >= 2
                                            && r.length() <= 256
                                            && REPOSITORY.matcher(r).matches(),
                            "is not a valid ECR repository name; use lowercase letters, digits and . _ - / (e.g. -c repositories=wordpress,mariadb)",
                            "the ECR repositories the stack creates and manages (the first is the app's, unless releaseRepository says otherwise)")
                    .feeding(Setting.MANAGED_REPOSITORIES, Setting.REPLICATION_REPOSITORIES);
    public static final Option<List<String>> MUTABLE_TAGS =
            Option.list(
                    ESTATE,
                    "mutableTags",
                    List.of(),
                    t -> MUTABLE_TAG.matcher(t).matches(),
                    "is not a tag filter (letters, digits, . _ - and * wildcards, e.g. latest or dev-*)",
                    "tag filters exempt from tag immutability (e.g. latest); every other tag is immutable");
    public static final Option<String> REPOSITORY_ENCRYPTION =
            Option.text(
                    ESTATE,
                    "repositoryEncryption",
                    "AES256",
                    "AES256, KMS (a key the stack creates) or a KMS key ARN in the stack's region; fixed once a repository exists");
    public static final Option<String> SCANNING =
            Option.oneOf(
                    ESTATE,
                    "scanning",
                    "BASIC",
                    List.of("BASIC", "ENHANCED"),
                    "BASIC (ECR's scan on push) or ENHANCED (Amazon Inspector: OS and language packages, continuous)",
                    "BASIC: ECR's scan on push; ENHANCED: Amazon Inspector, registry-wide");
    public static final Option<List<String>> CONTINUOUS_SCAN_FILTERS =
            Option.list(
                    ESTATE,
                    "continuousScanFilters",
                    List.of(),
                    f -> REPOSITORY_PATTERN.matcher(f).matches(),
                    "is not a repository filter (lowercase letters, digits, . _ - / and * wildcards)",
                    "repository filters Amazon Inspector rescans continuously (needs scanning=ENHANCED)");
    public static final Option<String> REPLICATION =
            Option.json(
                            ESTATE,
                            "replication",
                            "[]",
                            "replication destinations, a JSON list of {region, account (optional), kmsKey (optional)}; each push is proven there")
                    .feeding(Setting.REPLICATION_DESTINATIONS);
    public static final Option<Integer> REPLICATION_DEADLINE_MINUTES =
            Option.integer(
                            ESTATE,
                            "replicationDeadlineMinutes",
                            Setting.REPLICATION_DEADLINE_MINUTES.intDefault(),
                            5,
                            24 * 60,
                            "a digest not replicated this long after its push is checked and alerted")
                    .feeding(Setting.REPLICATION_DEADLINE_MINUTES);
    public static final Option<List<String>> REGISTRY_MANAGED_ELSEWHERE =
            Option.list(
                    ESTATE,
                    "registryManagedElsewhere",
                    List.of(),
                    REGISTRY_WIDE::contains,
                    "is not one of " + REGISTRY_WIDE,
                    "registry-wide settings another stack owns (replication, scanning): Quartermaster leaves them alone");
    public static final Option<List<String>> PULL_ACCOUNTS =
            Option.list(
                    ESTATE,
                    "pullAccounts",
                    List.of(),
                    a -> ACCOUNT.matcher(a).matches(),
                    "is not a 12-digit account id",
                    "accounts that may pull from the managed repositories (the three pull actions only)");
    public static final Option<String> PULL_ORGANIZATION =
            Option.optionalMatching(
                    ESTATE,
                    "pullOrganization",
                    ORGANIZATION,
                    "an AWS Organizations id (o-, then 10 to 32 lowercase letters or digits)",
                    "an AWS Organizations id whose accounts may pull");
    public static final Option<String> PULL_THROUGH_CACHE =
            Option.json(
                    ESTATE,
                    "pullThroughCache",
                    "[]",
                    "pull-through cache rules, a JSON list of {prefix, upstream (docker-hub, ecr-public, quay, ghcr), credentialArn}");
    public static final Option<String> HOME_REGION =
            Option.text(
                            ESTATE,
                            "homeRegion",
                            "",
                            "the stack's region where synth cannot tell it (replication needs it)")
                    .shownAs("the region cdk targets (CDK_DEFAULT_REGION)");
    public static final Option<String> HOME_ACCOUNT =
            Option.text(
                            ESTATE,
                            "homeAccount",
                            "",
                            "the stack's account where synth cannot tell it (cross-account replication needs it)")
                    .shownAs("the account cdk targets (CDK_DEFAULT_ACCOUNT)");

    // ---- the hosts ----
    public static final Option<String> HOSTS =
            Option.json(
                            HOSTS_AREA,
                            "hosts",
                            Setting.HOSTS.defaultValue(),
                            "the EC2 hosts, a JSON list of {name, tagKey, tagValue, roles: app and/or database}: one database host, at least one app host")
                    .feeding(Setting.HOSTS);
    private static final Host ONE_HOST = Host.parseList(Setting.HOSTS.defaultValue()).get(0);
    public static final Option<String> HOST_TAG_KEY =
            Option.matching(
                    HOSTS_AREA,
                    "hostTagKey",
                    ONE_HOST.tagKey(),
                    Host.TAG,
                    "a tag key of up to 128 letters, digits, spaces and _ . : / = + - @",
                    "before hosts was a list: the one host's tag key (use hosts)");
    public static final Option<String> HOST_TAG_VALUE =
            Option.matching(
                    HOSTS_AREA,
                    "hostTagValue",
                    ONE_HOST.tagValue(),
                    Host.TAG,
                    "a tag value of up to 128 letters, digits, spaces and _ . : / = + - @",
                    "before hosts was a list: the one host's tag value (use hosts)");

    // ---- database backups ----
    public static final Option<String> BACKUP_SCHEDULE =
            Option.schedule(
                    BACKUPS,
                    "backupSchedule",
                    "cron(0 3 * * ? *)",
                    "when the database is dumped (EventBridge schedule, UTC)");
    public static final Option<Integer> BACKUP_RETENTION_DAYS =
            Option.integer(
                    BACKUPS,
                    "backupRetentionDays",
                    7,
                    1,
                    3650,
                    "days a backup is kept in the bucket");
    public static final Option<Integer> BACKUP_COLD_AFTER_DAYS =
            Option.integer(
                    BACKUPS,
                    "backupColdAfterDays",
                    0,
                    0,
                    3650,
                    "days after which backups move to Glacier Instant Retrieval (0: never; below backupRetentionDays)");
    public static final Option<Integer> BACKUP_WINDOW_HOURS =
            Option.integer(
                            BACKUPS,
                            "backupWindowHours",
                            Setting.BACKUP_WINDOW_HOURS.intDefault(),
                            1,
                            23,
                            "a backup not verified this long after its start fails and alerts")
                    .feeding(Setting.BACKUP_WINDOW_HOURS);
    public static final Option<String> DATABASE =
            Option.matching(
                            BACKUPS,
                            "database",
                            Setting.DATABASE.defaultValue(),
                            DB_NAME,
                            "a database name of letters, digits and _",
                            "the MariaDB database backed up, drilled and restored")
                    .feeding(Setting.DATABASE);
    public static final Option<String> DB_CONTAINER =
            Option.optionalMatching(
                            BACKUPS,
                            "dbContainer",
                            CONTAINER,
                            "a container name (letters, digits, _ . -), or empty for MariaDB on the host",
                            "the container running MariaDB on the database host (empty: MariaDB on the host itself)")
                    .feeding(Setting.DB_CONTAINER);
    public static final Option<String> DRILL_SCHEDULE =
            Option.schedule(
                    BACKUPS,
                    "drillSchedule",
                    "cron(0 4 ? * SUN *)",
                    "when the latest backup is restored into a scratch database and checked");
    public static final Option<String> DB_PASSWORD_PARAMETER =
            Option.optionalMatching(
                            BACKUPS,
                            "dbPasswordParameter",
                            SSM_PARAMETER,
                            "an SSM parameter name (e.g. /wordpress/db-root-password), or empty when the host's client needs no password",
                            "MariaDB on the host: the SSM SecureString holding the password (empty: none needed)")
                    .feeding(Setting.DB_PASSWORD_PARAMETER);
    public static final Option<String> BACKUP_COMPRESSION =
            Option.choice(
                            BACKUPS,
                            "backupCompression",
                            Setting.BACKUP_COMPRESSION.defaultValue(),
                            List.of("gzip", "zstd"),
                            "zstd (fast, small; a host without the zstd command falls back to gzip -1) or gzip",
                            "zstd or gzip for the dump")
                    .feeding(Setting.BACKUP_COMPRESSION);
    public static final Option<Integer> MAX_BACKUP_AGE_HOURS =
            Option.integer(
                            BACKUPS,
                            "maxBackupAgeHours",
                            Setting.MAX_BACKUP_AGE_HOURS.intDefault(),
                            2,
                            24 * 35,
                            "no verified backup newer than this alerts, and bin/qm status says so")
                    .feeding(Setting.MAX_BACKUP_AGE_HOURS);

    // ---- the image archive ----
    public static final Option<Integer> ARCHIVE_RETENTION_DAYS =
            Option.integer(
                            ARCHIVE,
                            "archiveRetentionDays",
                            Setting.ARCHIVE_RETENTION_DAYS.intDefault(),
                            1,
                            36500,
                            "an image deleted from the registry stays archived this many days")
                    .feeding(Setting.ARCHIVE_RETENTION_DAYS);
    public static final Option<Integer> ARCHIVE_GRACE_HOURS =
            Option.integer(
                            ARCHIVE,
                            "archiveGraceHours",
                            Setting.ARCHIVE_GRACE_HOURS.intDefault(),
                            1,
                            24 * 30,
                            "an unreferenced blob younger than this is never pruned")
                    .feeding(Setting.ARCHIVE_GRACE_HOURS);
    public static final Option<Integer> ARCHIVE_SCRUB_PERCENT =
            Option.integer(
                            ARCHIVE,
                            "archiveScrubPercent",
                            Setting.ARCHIVE_SCRUB_PERCENT.intDefault(),
                            1,
                            100,
                            "share of the archived blobs the weekly scrub re-hashes")
                    .feeding(Setting.ARCHIVE_SCRUB_PERCENT);
    public static final Option<Integer> ARCHIVE_COLD_AFTER_DAYS =
            Option.integer(
                    ARCHIVE,
                    "archiveColdAfterDays",
                    0,
                    0,
                    3650,
                    "days after which layers of 1 MiB or more move to Glacier Instant Retrieval (0: never)");
    public static final Option<Integer> ARCHIVE_OBJECT_LOCK_DAYS =
            Option.integer(
                    ARCHIVE,
                    "archiveObjectLockDays",
                    0,
                    0,
                    36500,
                    "S3 Object Lock (governance) days on archived objects (0: none; at most archiveRetentionDays)");

    // ---- the release switch ----
    /**
     * WordPress: the version.php the running container serves (copied into its volume by the
     * entrypoint).
     */
    static final String WORDPRESS_VERSION_FILE = "/var/www/html/wp-includes/version.php";

    static final String WORDPRESS_VERSION_REGEX = "wp_version = .([0-9A-Za-z.+-]+).;";
    public static final Option<String> RELEASE_REPOSITORY =
            Option.text(
                            RELEASE,
                            "releaseRepository",
                            "",
                            "the repository of the app the release switch puts on the app hosts (one of repositories)")
                    .shownAs("the first of repositories")
                    .feeding(Setting.RELEASE_REPOSITORY);
    public static final Option<String> COMPOSE_PROJECT_DIR =
            Option.matching(
                    RELEASE,
                    "composeProjectDir",
                    "/opt/wordpress",
                    ABSOLUTE_PATH,
                    "an absolute path on the host, e.g. /opt/wordpress",
                    "the app's compose project directory on the host");
    public static final Option<String> COMPOSE_FILE =
            Option.matching(
                    RELEASE,
                    "composeFile",
                    "docker-compose.yml",
                    FILE_NAME,
                    "a file name in the project directory",
                    "the compose file in composeProjectDir");
    public static final Option<String> APP_SERVICE =
            Option.matching(
                    RELEASE,
                    "appService",
                    "wordpress",
                    SERVICE,
                    "the compose service name of the app",
                    "the compose service that runs the app's image");
    public static final Option<String> HEALTH_URL =
            Option.matching(
                    RELEASE,
                    "healthUrl",
                    "http://127.0.0.1/",
                    HEALTH_URL_PATTERN,
                    "an http(s) URL the host can reach, e.g. http://127.0.0.1/wp-login.php",
                    "the URL the host probes to prove a release");
    public static final Option<Integer> HEALTH_TIMEOUT_SECONDS =
            Option.integer(
                    RELEASE,
                    "healthTimeoutSeconds",
                    60,
                    5,
                    1800,
                    "how long the probe may take before the release rolls back");
    public static final Option<Boolean> RELEASE_RESTORE_POINT =
            Option.bool(
                    RELEASE,
                    "releaseRestorePoint",
                    true,
                    "take a database backup before each switch");
    public static final Option<Integer> RELEASE_BATCH =
            Option.integer(
                    RELEASE,
                    "releaseBatch",
                    1,
                    1,
                    100,
                    "how many app hosts a rolling release switches at once (bin/qm release --batch)");
    public static final Option<String> CONTAINER_CLI =
            Option.choice(
                    RELEASE,
                    "containerCli",
                    "docker",
                    List.of("docker", "podman"),
                    "docker or podman",
                    "the host's container command");
    public static final Option<String> COMPOSE_COMMAND =
            Option.choice(
                    RELEASE,
                    "composeCommand",
                    "docker compose",
                    List.of("docker compose", "docker-compose", "podman-compose", "podman compose"),
                    "docker compose, docker-compose or podman-compose",
                    "the host's compose command");
    public static final Option<String> VERSION_FILE =
            Option.matching(
                    RELEASE,
                    "versionFile",
                    WORDPRESS_VERSION_FILE,
                    ABSOLUTE_PATH,
                    "an absolute path inside the app container",
                    "the file inside the running app container that names its version");
    public static final Option<String> VERSION_REGEX =
            Option.text(
                    RELEASE,
                    "versionRegex",
                    WORDPRESS_VERSION_REGEX,
                    "POSIX extended regex (sed -E) whose first group is the version in versionFile");
    public static final Option<Integer> LIFECYCLE_PROTECT_GRACE_DAYS =
            Option.integer(
                            RELEASE,
                            "lifecycleProtectGraceDays",
                            Setting.PROTECT_GRACE_DAYS.intDefault(),
                            0,
                            3650,
                            "a released digest keeps its qm-release- mark this long after it stopped being needed")
                    .feeding(Setting.PROTECT_GRACE_DAYS);

    // ---- ECR lifecycle rules ----
    public static final Option<String> LIFECYCLE_RULES =
            Option.json(
                    LIFECYCLE,
                    "lifecycleRules",
                    "[]",
                    "ECR lifecycle rules (ECR's rule shape); empty: the two rules of keepTaggedImages and untaggedExpiryDays");
    public static final Option<Integer> KEEP_TAGGED_IMAGES =
            Option.integer(
                    LIFECYCLE,
                    "keepTaggedImages",
                    50,
                    1,
                    10000,
                    "tagged images kept per repository (when lifecycleRules is empty)");
    public static final Option<Integer> UNTAGGED_EXPIRY_DAYS =
            Option.integer(
                    LIFECYCLE,
                    "untaggedExpiryDays",
                    7,
                    1,
                    3650,
                    "days an untagged image is kept (when lifecycleRules is empty)");

    // ---- the signature gate ----
    public static final Option<String> SIGNING =
            Option.oneOf(
                            SIGNING_AREA,
                            "signing",
                            Setting.SIGNING.defaultValue(),
                            List.of("off", "managed"),
                            "off or managed (ECR signs each push with an AWS Signer profile the stack creates)",
                            "managed: ECR signs each push with the stack's AWS Signer profile")
                    .feeding(Setting.SIGNING);
    public static final Option<List<String>> SIGNATURE_REQUIRED =
            Option.list(
                            SIGNING_AREA,
                            "signatureRequired",
                            List.of(),
                            p -> REPOSITORY_PATTERN.matcher(p).matches(),
                            "is not a repository pattern (lowercase letters, digits, . _ - / and * wildcards)",
                            "repository patterns whose releases need a SIGNED verdict")
                    .shownAs("[] (the repositories, when signing=managed)")
                    .feeding(Setting.SIGNATURE_REQUIRED);
    public static final Option<List<String>> SIGNING_IDENTITIES =
            Option.list(
                            SIGNING_AREA,
                            "signingIdentities",
                            List.of(),
                            i ->
                                    SIGNER_PROFILE.matcher(i).matches()
                                            || i.startsWith("x509.subject:"),
                            "is neither an AWS Signer signing profile ARN (arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME) nor x509.subject:<distinguished name>",
                            "whose signatures count: AWS Signer profile ARNs or x509.subject:<DN> (the stack's profile is added when managed)")
                    .feeding(Setting.SIGNING_IDENTITIES);
    public static final Option<String> SIGNING_TRUST_ROOTS =
            Option.text(
                            SIGNING_AREA,
                            "signingTrustRoots",
                            "",
                            "path (relative to where cdk runs) of the PEM of AWS Signer's roots; needed when signatures are checked")
                    .feeding(Setting.SIGNING_TRUST_ROOTS);
    public static final Option<String> SIGNING_X509_TRUST_ROOTS =
            Option.text(
                            SIGNING_AREA,
                            "signingX509TrustRoots",
                            "",
                            "path of the PEM of the CAs of x509.subject identities (never AWS Signer's)")
                    .feeding(Setting.SIGNING_X509_TRUST_ROOTS);
    public static final Option<String> SIGNATURE_REVOCATION_CHECK =
            Option.oneOf(
                            SIGNING_AREA,
                            "signatureRevocationCheck",
                            Setting.SIGNATURE_REVOCATION_CHECK.defaultValue(),
                            List.of("enforce", "skip"),
                            "enforce (AWS Signer's revocation status; unreadable fails closed) or skip",
                            "enforce: AWS Signer's revocation status, an unreadable one fails closed; skip")
                    .feeding(Setting.SIGNATURE_REVOCATION_CHECK);
    public static final Option<Integer> SIGNING_WAIT_SECONDS =
            Option.integer(
                            SIGNING_AREA,
                            "signingWaitSeconds",
                            Setting.SIGNING_WAIT_SECONDS.intDefault(),
                            0,
                            90,
                            "how long image-verify waits for the registry's signing of a push")
                    .feeding(Setting.SIGNING_WAIT_SECONDS);

    // ---- image checks ----
    public static final Option<String> VERIFY_RULES =
            Option.json(
                            CHECKS,
                            "verifyRules",
                            shippedRules(),
                            "version rules, a JSON list of {repository, tagPattern with (?<version>...), source file/label/env, path+regex or key}")
                    .shownAs(
                            "the WordPress rules (contract/src/main/resources/default-verify-rules.json)")
                    .feeding(Setting.VERIFY_RULES);
    public static final Option<Integer> SCAN_MAX_CRITICAL =
            Option.integer(
                            CHECKS,
                            "scanMaxCritical",
                            Setting.SCAN_MAX_CRITICAL.intDefault(),
                            0,
                            100000,
                            "scan gate: more CRITICAL findings than this fail the image")
                    .feeding(Setting.SCAN_MAX_CRITICAL);
    public static final Option<Integer> SCAN_MAX_HIGH =
            Option.integer(
                            CHECKS,
                            "scanMaxHigh",
                            Setting.SCAN_MAX_HIGH.intDefault(),
                            -1,
                            100000,
                            "scan gate: more HIGH findings than this fail the image (-1: no limit)")
                    .feeding(Setting.SCAN_MAX_HIGH);

    // ---- upkeep (the archive's and the backfill's state machines) ----
    public static final Option<Integer> UPKEEP_MAX_CONCURRENCY =
            Option.integer(
                    ARCHIVE,
                    "upkeepMaxConcurrency",
                    10,
                    1,
                    10000,
                    "child executions (batches) of an upkeep map at once (the Distributed Maps' MaxConcurrency)");
    public static final Option<Integer> UPKEEP_TOLERATED_FAILURE_PERCENTAGE =
            Option.integer(
                    ARCHIVE,
                    "upkeepToleratedFailurePercentage",
                    5,
                    0,
                    100,
                    "share of an upkeep map's batches that may fail before the run fails (ToleratedFailurePercentage; the local runs' too)");

    // ---- operations ----
    public static final Option<String> ALERT_EMAIL =
            Option.optionalMatching(
                    OPERATIONS,
                    "alertEmail",
                    EMAIL,
                    "an e-mail address; leave it empty to subscribe later (or list addresses in alertEmails)",
                    "an e-mail address subscribed to the alert topic (empty: none; the older form of alertEmails)");
    public static final Option<List<String>> ALERT_EMAILS =
            Option.list(
                    OPERATIONS,
                    "alertEmails",
                    List.of(),
                    e -> EMAIL.matcher(e).matches(),
                    "is not an e-mail address (e.g. -c 'alertEmails=[\"ops@example.com\"]')",
                    "e-mail addresses subscribed to the alert topic");
    public static final Option<String> ALERT_CHAT =
            Option.json(
                    OPERATIONS,
                    "alertChat",
                    "{}",
                    "the chat channel AWS Chatbot posts alerts to: {slackWorkspaceId, slackChannelId} or {teamId, teamsChannelId, teamsTenantId}");
    public static final Option<Integer> ALERT_RETENTION_DAYS =
            Option.integer(
                            OPERATIONS,
                            "alertRetentionDays",
                            Setting.ALERT_RETENTION_DAYS.intDefault(),
                            1,
                            3650,
                            "the alert log keeps an alert this long after its last occurrence")
                    .feeding(Setting.ALERT_RETENTION_DAYS);
    public static final Option<Integer> ALERT_GROUP_MINUTES =
            Option.integer(
                            OPERATIONS,
                            "alertGroupMinutes",
                            Setting.ALERT_GROUP_MINUTES.intDefault(),
                            1,
                            24 * 60,
                            "the same kind and subject within this many minutes is one alert with a count; also the flood window")
                    .feeding(Setting.ALERT_GROUP_MINUTES);
    public static final Option<Integer> ALERT_FLOOD_THRESHOLD =
            Option.integer(
                            OPERATIONS,
                            "alertFloodThreshold",
                            Setting.ALERT_FLOOD_THRESHOLD.intDefault(),
                            1,
                            1000,
                            "more distinct subjects of one kind than this in a window are held back and summarised once")
                    .feeding(Setting.ALERT_FLOOD_THRESHOLD);
    public static final Option<String> CLOUD_TRAIL =
            Option.choice(
                    OPERATIONS,
                    "cloudTrail",
                    "existing",
                    List.of("create", "existing"),
                    "create (a trail of this region's management events, for the lifecycle guard) or existing (the account has a trail with logging"
                            + " enabled in this region)",
                    "existing: the account's trail feeds the lifecycle guard; create: the stack makes one");

    // ---- the app (synth and bin/qm deploy) ----
    public static final Option<String> STACK_NAME =
            Option.matching(
                    APP,
                    "stackName",
                    "Quartermaster",
                    // CloudFormation: a letter, then letters, digits and hyphens; the names built
                    // from it must fit
                    // too, the tightest being a state machine's <stack>-replication-backfill (Step
                    // Functions: 80)
                    java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,58}"),
                    "a letter, then letters, digits and hyphens, at most 59 characters (the state machines'"
                            + " names, <stack>-replication-backfill, must stay within Step Functions' 80)",
                    "the home stack's name");
    public static final Option<String> LOCK_FILE =
            Option.text(
                    APP,
                    "lockFile",
                    DeployRecord.FILE,
                    "where bin/qm deploy records what a deploy created (each repository's encryption)");
    public static final Option<String> FUNCTIONS_JARS =
            Option.text(
                    APP,
                    "functionsJars",
                    "functions/target",
                    "the directory holding the function jars synth packages");

    /** Every declared option, in the configuration table's order. */
    public static final List<Option<?>> ALL =
            List.of(
                    REPOSITORIES,
                    MUTABLE_TAGS,
                    REPOSITORY_ENCRYPTION,
                    SCANNING,
                    CONTINUOUS_SCAN_FILTERS,
                    REPLICATION,
                    REPLICATION_DEADLINE_MINUTES,
                    REGISTRY_MANAGED_ELSEWHERE,
                    PULL_ACCOUNTS,
                    PULL_ORGANIZATION,
                    PULL_THROUGH_CACHE,
                    HOME_REGION,
                    HOME_ACCOUNT,
                    HOSTS,
                    HOST_TAG_KEY,
                    HOST_TAG_VALUE,
                    BACKUP_SCHEDULE,
                    BACKUP_RETENTION_DAYS,
                    BACKUP_COLD_AFTER_DAYS,
                    BACKUP_WINDOW_HOURS,
                    DATABASE,
                    DB_CONTAINER,
                    DRILL_SCHEDULE,
                    DB_PASSWORD_PARAMETER,
                    BACKUP_COMPRESSION,
                    MAX_BACKUP_AGE_HOURS,
                    ARCHIVE_RETENTION_DAYS,
                    ARCHIVE_GRACE_HOURS,
                    ARCHIVE_SCRUB_PERCENT,
                    ARCHIVE_COLD_AFTER_DAYS,
                    ARCHIVE_OBJECT_LOCK_DAYS,
                    RELEASE_REPOSITORY,
                    COMPOSE_PROJECT_DIR,
                    COMPOSE_FILE,
                    APP_SERVICE,
                    HEALTH_URL,
                    HEALTH_TIMEOUT_SECONDS,
                    RELEASE_RESTORE_POINT,
                    RELEASE_BATCH,
                    CONTAINER_CLI,
                    COMPOSE_COMMAND,
                    VERSION_FILE,
                    VERSION_REGEX,
                    LIFECYCLE_PROTECT_GRACE_DAYS,
                    LIFECYCLE_RULES,
                    KEEP_TAGGED_IMAGES,
                    UNTAGGED_EXPIRY_DAYS,
                    SIGNING,
                    SIGNATURE_REQUIRED,
                    SIGNING_IDENTITIES,
                    SIGNING_TRUST_ROOTS,
                    SIGNING_X509_TRUST_ROOTS,
                    SIGNATURE_REVOCATION_CHECK,
                    SIGNING_WAIT_SECONDS,
                    VERIFY_RULES,
                    SCAN_MAX_CRITICAL,
                    SCAN_MAX_HIGH,
                    UPKEEP_MAX_CONCURRENCY,
                    UPKEEP_TOLERATED_FAILURE_PERCENTAGE,
                    ALERT_EMAIL,
                    ALERT_EMAILS,
                    ALERT_CHAT,
                    ALERT_RETENTION_DAYS,
                    ALERT_GROUP_MINUTES,
                    ALERT_FLOOD_THRESHOLD,
                    CLOUD_TRAIL,
                    STACK_NAME,
                    LOCK_FILE,
                    FUNCTIONS_JARS);

    /**
     * The configuration table (Markdown) of {@code options}: the one in docs/configuration.md is
     * this of {@link #ALL}.
     */
    public static String markdownTable(List<Option<?>> options) {
        StringBuilder sb =
                new StringBuilder(
                        "| Option | Area | Type | Default | Feeds | What it does |\n|---|---|---|---|---|---|\n");
        for (Option<?> o : options) {
            String type =
                    o.type() == OptionType.ENUM
                            ? String.join(" \\| ", o.choices())
                            : o.type().label();
            String feeds =
                    o.feeds().isEmpty()
                            ? "stack"
                            : o.feeds().stream()
                                    .map(Enum::name)
                                    .sorted()
                                    .collect(Collectors.joining(", "));
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(o.area())
                    .append(" | ")
                    .append(type)
                    .append(" | ")
                    .append(cell(o))
                    .append(" | ")
                    .append(feeds)
                    .append(" | ")
                    .append(o.help())
                    .append(" |\n");
        }
        return sb.toString();
    }

    public static String markdownTable() {
        return markdownTable(ALL);
    }

    /** The default as code, or the words that describe it, or (empty). */
    private static String cell(Option<?> o) {
        String text = o.defaultText();
        if (text == null || text.isEmpty()) {
            return "(empty)";
        }
        String escaped = text.replace("|", "\\|");
        return o.defaultDescribed() || text.contains("`") ? escaped : "`" + escaped + "`";
    }

    /**
     * The verify rules that ship with the product (WordPress's version.php); the functions read the
     * same file.
     */
    static String shippedRules() {
        try (InputStream in = Options.class.getResourceAsStream("/default-verify-rules.json")) {
            if (in == null) {
                throw new IllegalStateException(
                        "default-verify-rules.json is missing from the classpath: rebuild the contract module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
