package dev.quartermaster.contract;

/**
 * Every environment variable the stack sets on a function, with its meaning. A function reads only
 * these (plus what Lambda itself sets: AWS_REGION, credentials, AWS_ENDPOINT_URL*); the drift tests
 * prove each function reads exactly the settings its {@link FunctionSpec} lists and that the stack sets
 * exactly those.
 */
public enum Setting {
    TABLE_NAME("the ledger table (images, tags, backups, claims)"),
    ALERT_TOPIC_ARN("the SNS topic alerts go to"),
    EXPECTED_ACCOUNT("the stack's account: events naming another account are rejected"),
    VERIFY_RULES("the version rules (JSON list, see RuleFormat)"),
    REGISTRY_URL("the registry to read images from (https://<account>.dkr.ecr.<region>.amazonaws.com)"),
    REGISTRY_AUTH("ecr (GetAuthorizationToken) or none"),
    SCAN_MAX_CRITICAL("scan gate: more CRITICAL findings than this fail the image (-1: no limit)"),
    SCAN_MAX_HIGH("scan gate: more HIGH findings than this fail the image (-1: no limit)"),
    BACKUP_BUCKET("the backup bucket (staging/, backups/, ssm-output/)"),
    DATABASE("the database backed up"),
    DB_CONTAINER("the container running MariaDB on the host ('' = MariaDB on the host)"),
    DB_PASSWORD_PARAMETER("host mode: name of the SSM SecureString holding the password ('' = none)"),
    HOST_TAG_KEY("tag key of the one instance that runs the commands"),
    HOST_TAG_VALUE("tag value of that instance"),
    DUMP_DOCUMENT("the SSM document that dumps the database"),
    DRILL_DOCUMENT("the SSM document that restores into the scratch database (drill)"),
    BACKUP_COMPRESSION("gzip or zstd, for the dump"),
    BACKUP_WINDOW_HOURS("a backup not verified this long after its start fails and alerts"),
    MAX_BACKUP_AGE_HOURS("no verified backup newer than this alerts (once a day)"),
    COMMAND_LOG_GROUP("the CloudWatch log group SSM writes the commands' output to"),
    ARCHIVE_BUCKET("the image archive's bucket (an OCI image layout: oci-layout, index.json, blobs/sha256/)"),
    MANAGED_REPOSITORIES("the repositories the daily reconcile lists (comma-separated)"),
    ARCHIVE_SCRUB_PERCENT("share of the archived blobs the weekly scrub re-hashes (1..100)"),
    ARCHIVE_RETENTION_DAYS("an image deleted from the registry stays archived this many days after its delete"),
    RELEASE_REPOSITORY("the ECR repository of the app the release switch puts on the host"),
    RELEASE_IMAGE_URI("registry/repository the host pulls from (<account>.dkr.ecr.<region>.amazonaws.com/<repository>)"),
    RELEASE_DOCUMENT("the SSM document that releases a digest on the host (and rolls back by itself)"),
    RELEASE_CHECK_DOCUMENT("the SSM document that reports which digest the host runs (drift check)"),
    ARCHIVE_GRACE_HOURS("an unreferenced blob younger than this is never pruned (a concurrent archive may be relying on it)");

    private final String meaning;

    Setting(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }
}
