package dev.quartermaster.contract;

import java.util.Optional;

/**
 * The stack's outputs: the stack writes each one (and no other), {@code bin/qm --aws} reads them
 * from the file {@code cdk deploy --outputs-file .qm/outputs.json} writes, each into the setting it
 * fills.
 */
public enum StackOutput {
    LEDGER_TABLE_NAME("LedgerTableName", Setting.TABLE_NAME, "the ledger table"),
    BACKUP_BUCKET_NAME("BackupBucketName", Setting.BACKUP_BUCKET, "the backup bucket"),
    ARCHIVE_BUCKET_NAME("ArchiveBucketName", Setting.ARCHIVE_BUCKET, "the image archive's bucket"),
    ALERT_TOPIC_ARN(
            "AlertTopicArn",
            Setting.ALERT_TOPIC_ARN,
            "the SNS topic alerts go to (subscribe to it)"),
    ALERT_TABLE_NAME(
            "AlertTableName",
            Setting.ALERT_TABLE_NAME,
            "the alert log (bin/qm alerts --aws, bin/qm status --aws)"),
    DUMP_DOCUMENT_NAME(
            "DumpDocumentName",
            Setting.DUMP_DOCUMENT,
            "the dump document (bin/qm backup-now --aws)"),
    RESTORE_DOCUMENT_NAME(
            "RestoreDocumentName",
            "RESTORE_DOCUMENT",
            "the restore document (bin/qm restore --aws)"),
    DRILL_DOCUMENT_NAME("DrillDocumentName", Setting.DRILL_DOCUMENT, "the drill document"),
    DATABASE_NAME("DatabaseName", Setting.DATABASE, "the database backed up"),
    DB_CONTAINER(
            "DbContainer",
            Setting.DB_CONTAINER,
            "the container running MariaDB ('-': MariaDB on the host)"),
    DB_PASSWORD_PARAMETER(
            "DbPasswordParameter",
            Setting.DB_PASSWORD_PARAMETER,
            "the SSM parameter the host reads the database password from ('-': none)"),
    BACKUP_COMPRESSION("BackupCompression", Setting.BACKUP_COMPRESSION, "zstd or gzip"),
    HOSTS("Hosts", Setting.HOSTS, "the hosts as JSON (name, tag, roles)"),
    RELEASE_DOCUMENT_NAME("ReleaseDocumentName", Setting.RELEASE_DOCUMENT, "the release document"),
    RELEASE_CHECK_DOCUMENT_NAME(
            "ReleaseCheckDocumentName", Setting.RELEASE_CHECK_DOCUMENT, "the drift-check document"),
    RELEASE_REPOSITORY("ReleaseRepository", Setting.RELEASE_REPOSITORY, "the app's repository"),
    RELEASE_IMAGE_URI(
            "ReleaseImageUri", Setting.RELEASE_IMAGE_URI, "where the host pulls the app from"),
    RELEASE_RESTORE_POINT(
            "ReleaseRestorePoint", "RELEASE_RESTORE_POINT", "true: a release takes a backup first"),
    RELEASE_BATCH(
            "ReleaseBatch",
            "RELEASE_BATCH",
            "how many app hosts a rolling release switches at once"),
    HOST_POLICY_ARN(
            "HostPolicyArn",
            "HOST_POLICY_ARN",
            "the managed policy to attach to the hosts' instance role"),
    SIGNATURE_REQUIRED(
            "SignatureRequired",
            Setting.SIGNATURE_REQUIRED,
            "the repository patterns whose releases need a SIGNED verdict (JSON)"),
    VERIFY_RULES(
            "VerifyRules",
            Setting.VERIFY_RULES,
            "the version rules (JSON): a release by tag checks the version inside against that tag's promise"),
    DEAD_LETTER_QUEUE_URL(
            "DeadLetterQueueUrl",
            "DEAD_LETTER_QUEUE_URL",
            "the functions' dead-letter queue (bin/qm status --aws reads its depth)"),
    REPOSITORY_ENCRYPTION(
            "RepositoryEncryption",
            "REPOSITORY_ENCRYPTION",
            "each repository's encryption as deployed (JSON; bin/qm deploy records it in "
                    + DeployRecord.FILE
                    + ")");

    /**
     * An output that is empty in cdk.json's terms is written as this (CloudFormation refuses an
     * empty output value).
     */
    public static final String EMPTY = "-";

    private final String id;
    private final String key;
    private final String description;

    /**
     * @param key a {@link Setting}, or the name bin/qm alone reads (a String)
     */
    StackOutput(String id, Object key, String description) {
        this.id = id;
        this.key = key instanceof Setting s ? s.name() : (String) key;
        this.description = description;
    }

    /** The output's logical id (its key in the outputs file). */
    public String id() {
        return id;
    }

    /** The setting (or bin/qm's own key) a command run against the deployed stack takes from it. */
    public String key() {
        return key;
    }

    /** The function setting it fills, if it is one. */
    public Optional<Setting> setting() {
        return java.util.Arrays.stream(Setting.values())
                .filter(s -> s.name().equals(key))
                .findFirst();
    }

    public String description() {
        return description;
    }

    /** The value as written: {@link #EMPTY} for an empty one. */
    public static String write(String value) {
        return value == null || value.isEmpty() ? EMPTY : value;
    }

    /** The value as read back: "" for {@link #EMPTY}. */
    public static String read(String value) {
        return value == null || EMPTY.equals(value) ? "" : value;
    }
}
