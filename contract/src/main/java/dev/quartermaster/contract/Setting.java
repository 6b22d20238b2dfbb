package dev.quartermaster.contract;

/**
 * Every environment variable the stack sets on a function, with its meaning. A function reads only
 * these (plus what Lambda itself sets: AWS_REGION, credentials, AWS_ENDPOINT_URL*); the drift tests
 * prove each function reads exactly the settings its {@link FunctionSpec} lists and that the stack
 * sets exactly those. Each has one default (or none: the stack must set it), which the stack's
 * configuration shares.
 */
public enum Setting {
    TABLE_NAME("the ledger table (images, tags, backups, claims)", null),
    ALERT_TOPIC_ARN("the SNS topic alerts go to", ""),
    ALERT_TABLE_NAME(
            "the alert log table: every alert, grouped by kind and subject ('' = no log: each alert published as raised)",
            ""),
    ALERT_GROUP_MINUTES(
            "the same kind and subject within this many minutes is one alert with a count (also the flood window)",
            "60"),
    ALERT_FLOOD_THRESHOLD(
            "more distinct subjects of one kind than this within the window: the rest are held back and summarised once",
            "10"),
    ALERT_RETENTION_DAYS(
            "how long the alert log keeps an alert after its last occurrence (its TTL)", "90"),
    EXPECTED_ACCOUNT("the stack's account: events naming another account are rejected", ""),
    VERIFY_RULES("the version rules (JSON list, see RuleFormat)", ""),
    REGISTRY_URL(
            "the registry to read images from (https://<account>.dkr.ecr.<region>.amazonaws.com)",
            null),
    REGISTRY_AUTH("ecr (GetAuthorizationToken) or none", "none"),
    SCAN_MAX_CRITICAL(
            "scan gate: more CRITICAL findings than this fail the image (-1: no limit)", "0"),
    SCAN_MAX_HIGH("scan gate: more HIGH findings than this fail the image (-1: no limit)", "-1"),
    BACKUP_BUCKET("the backup bucket (staging/, backups/, ssm-output/)", null),
    DATABASE("the database backed up", "wordpress"),
    DB_CONTAINER("the container running MariaDB on the host ('' = MariaDB on the host)", ""),
    DB_PASSWORD_PARAMETER(
            "host mode: name of the SSM SecureString holding the password ('' = none)", ""),
    HOSTS(
            "the hosts (JSON list of {name, tagKey, tagValue, roles}, see Host): the database host runs the backup documents, app hosts the release ones",
            Defaults.HOSTS),
    DUMP_DOCUMENT("the SSM document that dumps the database", "QuartermasterDump"),
    DRILL_DOCUMENT(
            "the SSM document that restores into the scratch database (drill)",
            "QuartermasterDrill"),
    BACKUP_COMPRESSION("gzip or zstd, for the dump", "zstd"),
    BACKUP_WINDOW_HOURS("a backup not verified this long after its start fails and alerts", "2"),
    MAX_BACKUP_AGE_HOURS("no verified backup newer than this alerts (once a day)", "26"),
    COMMAND_LOG_GROUP(
            "the CloudWatch log group SSM writes the commands' output to", "/quartermaster/ssm"),
    ARCHIVE_BUCKET(
            "the image archive's bucket (an OCI image layout: oci-layout, index.json, blobs/sha256/)",
            null),
    MANAGED_REPOSITORIES("the repositories the daily reconcile lists (comma-separated)", ""),
    ARCHIVE_SCRUB_PERCENT("share of the archived blobs the weekly scrub re-hashes (1..100)", "100"),
    ARCHIVE_RETENTION_DAYS(
            "an image deleted from the registry stays archived this many days after its delete",
            "90"),
    RELEASE_REPOSITORY("the ECR repository of the app the release switch puts on the host", null),
    RELEASE_IMAGE_URI(
            "registry/repository the host pulls from (<account>.dkr.ecr.<region>.amazonaws.com/<repository>)",
            null),
    RELEASE_DOCUMENT(
            "the SSM document that releases a digest on the host (and rolls back by itself)", null),
    RELEASE_CHECK_DOCUMENT(
            "the SSM document that reports which digest the host runs (drift check)", null),
    PROTECT_GRACE_DAYS(
            "a released digest keeps its qm-release- mark this long after it stopped running and stopped being a rollback target",
            "7"),
    ARCHIVE_GRACE_HOURS(
            "an unreferenced blob younger than this is never pruned (a concurrent archive may be relying on it)",
            "48"),
    SIGNING(
            "off, or managed: ECR signs each push of the managed repositories with the stack's AWS Signer profile",
            "off"),
    SIGNATURE_REQUIRED(
            "JSON list of repository patterns (* a wildcard) whose releases need a SIGNED verdict",
            "[]"),
    SIGNING_IDENTITIES(
            "JSON list of trusted signers: AWS Signer profile (or profile version) ARNs, or x509.subject:<DN>",
            "[]"),
    SIGNING_TRUST_ROOTS(
            "path of the PEM bundle of AWS Signer roots: the only roots of notary.x509.signingAuthority signatures and AWS Signer profile identities (in Lambda: the trust-roots layer's file)",
            ""),
    SIGNING_X509_TRUST_ROOTS(
            "path of the PEM bundle of the CAs of x509.subject identities: the only roots of notary.x509 signatures (in Lambda: the trust-roots layer's second file; '' = none)",
            ""),
    SIGNATURE_REVOCATION_CHECK(
            "enforce (AWS Signer's GetRevocationStatus; an unreadable status fails closed) or skip",
            "enforce"),
    SIGNING_WAIT_SECONDS(
            "how long image-verify waits for the registry's signing of a push before recording PENDING",
            "60"),
    REPLICATION_DESTINATIONS(
            "JSON list of the registry's replication destinations ({region, account}); each pushed digest is proven there",
            "[]"),
    REPLICATION_DEADLINE_MINUTES(
            "a digest not replicated this long after its push is checked with ECR and alerted (REPLICATION_LATE)",
            "60"),
    REPLICATION_REPOSITORIES("JSON list of the repositories replicated (the managed ones)", "[]");

    private static final class Defaults {
        /** One host named host, tagged qm:backup=true, running the app and the database. */
        static final String HOSTS =
                "[{\"name\":\"host\",\"tagKey\":\"qm:backup\",\"tagValue\":\"true\",\"roles\":[\"app\",\"database\"]}]";
    }

    private final String meaning;
    private final String defaultValue;

    Setting(String meaning, String defaultValue) {
        this.meaning = meaning;
        this.defaultValue = defaultValue;
    }

    public String meaning() {
        return meaning;
    }

    /**
     * The one default of this setting (the stack's cdk.json default is the same value), or null
     * when the stack must set it.
     */
    public String defaultValue() {
        return defaultValue;
    }

    public boolean required() {
        return defaultValue == null;
    }

    /** The default of a numeric setting. */
    public int intDefault() {
        return Integer.parseInt(defaultValue);
    }
}
