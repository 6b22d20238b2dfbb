package dev.quartermaster.contract;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.quartermaster.contract.Setting.ALERT_FLOOD_THRESHOLD;
import static dev.quartermaster.contract.Setting.ALERT_GROUP_MINUTES;
import static dev.quartermaster.contract.Setting.ALERT_RETENTION_DAYS;
import static dev.quartermaster.contract.Setting.ALERT_TABLE_NAME;
import static dev.quartermaster.contract.Setting.ALERT_TOPIC_ARN;
import static dev.quartermaster.contract.Setting.ARCHIVE_BUCKET;
import static dev.quartermaster.contract.Setting.ARCHIVE_GRACE_HOURS;
import static dev.quartermaster.contract.Setting.ARCHIVE_RETENTION_DAYS;
import static dev.quartermaster.contract.Setting.ARCHIVE_SCRUB_PERCENT;
import static dev.quartermaster.contract.Setting.BACKUP_BUCKET;
import static dev.quartermaster.contract.Setting.BACKUP_COMPRESSION;
import static dev.quartermaster.contract.Setting.BACKUP_WINDOW_HOURS;
import static dev.quartermaster.contract.Setting.COMMAND_LOG_GROUP;
import static dev.quartermaster.contract.Setting.DATABASE;
import static dev.quartermaster.contract.Setting.DB_CONTAINER;
import static dev.quartermaster.contract.Setting.DB_PASSWORD_PARAMETER;
import static dev.quartermaster.contract.Setting.DRILL_DOCUMENT;
import static dev.quartermaster.contract.Setting.DUMP_DOCUMENT;
import static dev.quartermaster.contract.Setting.EXPECTED_ACCOUNT;
import static dev.quartermaster.contract.Setting.HOSTS;
import static dev.quartermaster.contract.Setting.MANAGED_REPOSITORIES;
import static dev.quartermaster.contract.Setting.MAX_BACKUP_AGE_HOURS;
import static dev.quartermaster.contract.Setting.PROTECT_GRACE_DAYS;
import static dev.quartermaster.contract.Setting.REGISTRY_AUTH;
import static dev.quartermaster.contract.Setting.REGISTRY_URL;
import static dev.quartermaster.contract.Setting.RELEASE_CHECK_DOCUMENT;
import static dev.quartermaster.contract.Setting.RELEASE_DOCUMENT;
import static dev.quartermaster.contract.Setting.RELEASE_IMAGE_URI;
import static dev.quartermaster.contract.Setting.RELEASE_REPOSITORY;
import static dev.quartermaster.contract.Setting.REPLICATION_DEADLINE_MINUTES;
import static dev.quartermaster.contract.Setting.REPLICATION_DESTINATIONS;
import static dev.quartermaster.contract.Setting.REPLICATION_REPOSITORIES;
import static dev.quartermaster.contract.Setting.SCAN_MAX_CRITICAL;
import static dev.quartermaster.contract.Setting.SCAN_MAX_HIGH;
import static dev.quartermaster.contract.Setting.SIGNATURE_REQUIRED;
import static dev.quartermaster.contract.Setting.SIGNATURE_REVOCATION_CHECK;
import static dev.quartermaster.contract.Setting.SIGNING;
import static dev.quartermaster.contract.Setting.SIGNING_IDENTITIES;
import static dev.quartermaster.contract.Setting.SIGNING_TRUST_ROOTS;
import static dev.quartermaster.contract.Setting.SIGNING_WAIT_SECONDS;
import static dev.quartermaster.contract.Setting.SIGNING_X509_TRUST_ROOTS;
import static dev.quartermaster.contract.Setting.TABLE_NAME;
import static dev.quartermaster.contract.Setting.VERIFY_RULES;

/**
 * The functions Quartermaster deploys. The stack loops over this list; {@code bin/qm invoke} finds
 * a function here by name; the tests prove each handler class loads and reads exactly these
 * settings.
 */
public final class Catalog {
    private static final Set<Setting> COMMON =
            EnumSet.of(
                    TABLE_NAME,
                    ALERT_TOPIC_ARN,
                    EXPECTED_ACCOUNT,
                    ALERT_TABLE_NAME,
                    ALERT_GROUP_MINUTES,
                    ALERT_FLOOD_THRESHOLD,
                    ALERT_RETENTION_DAYS);
    private static final Set<Setting> BACKUP =
            EnumSet.of(
                    BACKUP_BUCKET,
                    DATABASE,
                    DB_CONTAINER,
                    DB_PASSWORD_PARAMETER,
                    HOSTS,
                    DUMP_DOCUMENT,
                    DRILL_DOCUMENT,
                    BACKUP_COMPRESSION,
                    BACKUP_WINDOW_HOURS,
                    MAX_BACKUP_AGE_HOURS,
                    COMMAND_LOG_GROUP);

    public static final FunctionSpec IMAGE_ACTION =
            new FunctionSpec(
                    "image-action",
                    "dev.quartermaster.ledger.ImageActionHandler",
                    "Every push and delete in the managed ECR repositories, to the ledger",
                    COMMON,
                    FunctionSpec.TableAccess.LEDGER_WRITER,
                    1024,
                    30);
    public static final FunctionSpec IMAGE_VERIFY =
            new FunctionSpec(
                    "image-verify",
                    "dev.quartermaster.verify.VerifyHandler",
                    "Successful tagged pushes, checked against what their tag promises",
                    with(
                            COMMON,
                            VERIFY_RULES,
                            REGISTRY_URL,
                            REGISTRY_AUTH,
                            SIGNING,
                            SIGNATURE_REQUIRED,
                            SIGNING_IDENTITIES,
                            SIGNING_TRUST_ROOTS,
                            SIGNING_X509_TRUST_ROOTS,
                            SIGNATURE_REVOCATION_CHECK,
                            SIGNING_WAIT_SECONDS,
                            MANAGED_REPOSITORIES),
                    FunctionSpec.TableAccess.CLAIMS_AND_UPDATES,
                    1024,
                    120);
    public static final FunctionSpec IMAGE_SCAN =
            new FunctionSpec(
                    "image-scan",
                    "dev.quartermaster.verify.ScanHandler",
                    "Completed ECR and Amazon Inspector scans and Inspector findings, to the scan gate; new findings on the running image alert",
                    with(COMMON, SCAN_MAX_CRITICAL, SCAN_MAX_HIGH, RELEASE_REPOSITORY, HOSTS),
                    FunctionSpec.TableAccess.SCAN_RECORDS,
                    1024,
                    30);
    public static final FunctionSpec IMAGE_REPLICATION =
            new FunctionSpec(
                    "image-replication",
                    "dev.quartermaster.replication.ReplicationHandler",
                    "Each push proven in every replication destination (ECR Replication Action events), late ones checked with ECR every 15 minutes",
                    with(
                            COMMON,
                            REPLICATION_DESTINATIONS,
                            REPLICATION_DEADLINE_MINUTES,
                            REPLICATION_REPOSITORIES),
                    FunctionSpec.TableAccess.REPLICAS,
                    1024,
                    60);
    // copies whole images to another region or account, a batch of them per invocation (the state
    // machine's batches are ≤ 1 GiB)
    public static final FunctionSpec REPLICATION_BACKFILL =
            new FunctionSpec(
                    "replication-backfill",
                    "dev.quartermaster.replication.BackfillHandler",
                    "On demand, as a state machine: copy by digest what a replication destination lacks (images pushed before replication), and record it",
                    with(
                            COMMON,
                            REGISTRY_URL,
                            REGISTRY_AUTH,
                            ARCHIVE_BUCKET,
                            REPLICATION_DESTINATIONS,
                            REPLICATION_DEADLINE_MINUTES,
                            REPLICATION_REPOSITORIES),
                    FunctionSpec.TableAccess.REPLICAS,
                    1024,
                    900);
    public static final FunctionSpec BACKUP_START =
            new FunctionSpec(
                    "backup-start",
                    "dev.quartermaster.backup.BackupStartHandler",
                    "Start the scheduled database backup",
                    with(COMMON, BACKUP),
                    FunctionSpec.TableAccess.BACKUP_RECORDS,
                    1024,
                    30);
    // hashes the whole staged object and copies it: ~100 MB/s from S3, so 300 s covers dumps of
    // several GB
    public static final FunctionSpec BACKUP_STATUS =
            new FunctionSpec(
                    "backup-status",
                    "dev.quartermaster.backup.BackupStatusHandler",
                    "SSM results of the dump and drill commands: commit and verify, or record the failure",
                    with(COMMON, BACKUP),
                    FunctionSpec.TableAccess.BACKUP_RECORDS,
                    1024,
                    300);
    public static final FunctionSpec RESTORE_DRILL =
            new FunctionSpec(
                    "restore-drill",
                    "dev.quartermaster.backup.RestoreDrillHandler",
                    "Restore the latest verified backup into a scratch database and compare row counts",
                    with(COMMON, BACKUP),
                    FunctionSpec.TableAccess.BACKUP_RECORDS,
                    1024,
                    30);
    public static final FunctionSpec BACKUP_WATCHDOG =
            new FunctionSpec(
                    "backup-watchdog",
                    "dev.quartermaster.backup.BackupWatchdogHandler",
                    "Alert when a backup has not been verified within its window",
                    with(COMMON, BACKUP),
                    FunctionSpec.TableAccess.BACKUP_RECORDS,
                    1024,
                    30);

    // copies whole images (up to ~100 MB/s from ECR): the 15-minute maximum; a longer one goes on
    // at the next delivery
    public static final FunctionSpec IMAGE_ARCHIVE =
            new FunctionSpec(
                    "image-archive",
                    "dev.quartermaster.archive.ArchiveHandler",
                    "Successful pushes, and a daily reconcile of the managed repositories, copied byte-exact into the archive",
                    with(COMMON, REGISTRY_URL, REGISTRY_AUTH, ARCHIVE_BUCKET, MANAGED_REPOSITORIES),
                    FunctionSpec.TableAccess.CLAIMS_AND_UPDATES,
                    1024,
                    900);
    public static final FunctionSpec ARCHIVE_SCRUB =
            new FunctionSpec(
                    "archive-scrub",
                    "dev.quartermaster.archive.ArchiveScrubHandler",
                    "Weekly: re-hash archived blobs, check every archived image is complete",
                    with(COMMON, ARCHIVE_BUCKET, ARCHIVE_SCRUB_PERCENT),
                    FunctionSpec.TableAccess.ARCHIVE_UPKEEP,
                    1024,
                    900);
    public static final FunctionSpec ARCHIVE_PRUNE =
            new FunctionSpec(
                    "archive-prune",
                    "dev.quartermaster.archive.ArchivePruneHandler",
                    "Weekly: forget images deleted longer than the retention ago, sweep blobs nothing references",
                    with(COMMON, ARCHIVE_BUCKET, ARCHIVE_RETENTION_DAYS, ARCHIVE_GRACE_HOURS),
                    FunctionSpec.TableAccess.ARCHIVE_UPKEEP,
                    1024,
                    900);

    private static final Set<Setting> RELEASE =
            EnumSet.of(
                    RELEASE_REPOSITORY,
                    RELEASE_IMAGE_URI,
                    RELEASE_DOCUMENT,
                    RELEASE_CHECK_DOCUMENT,
                    HOSTS,
                    BACKUP_BUCKET,
                    COMMAND_LOG_GROUP,
                    REGISTRY_AUTH,
                    PROTECT_GRACE_DAYS);
    public static final FunctionSpec RELEASE_STATUS =
            new FunctionSpec(
                    "release-status",
                    "dev.quartermaster.release.ReleaseStatusHandler",
                    "SSM results of the release and drift-check commands, to the release history",
                    with(COMMON, RELEASE),
                    FunctionSpec.TableAccess.RELEASE_RECORDS,
                    1024,
                    30);
    public static final FunctionSpec RELEASE_DRIFT =
            new FunctionSpec(
                    "release-drift",
                    "dev.quartermaster.release.ReleaseDriftHandler",
                    "Hourly: ask the host which digest runs (release-status alerts on drift)",
                    with(COMMON, RELEASE),
                    FunctionSpec.TableAccess.RELEASE_RECORDS,
                    1024,
                    30);

    public static final FunctionSpec LIFECYCLE_GUARD =
            new FunctionSpec(
                    "lifecycle-guard",
                    "dev.quartermaster.lifecycle.LifecycleGuardHandler",
                    "Each run of ECR's lifecycle policy: alert when it expired an image a release needs or the archive lacks",
                    with(COMMON, RELEASE),
                    FunctionSpec.TableAccess.GUARD_CLAIMS,
                    1024,
                    60);

    public static final FunctionSpec ALERT_SWEEP =
            new FunctionSpec(
                    "alert-sweep",
                    "dev.quartermaster.alerts.AlertSweepHandler",
                    "Every 5 minutes: summarise the alert windows that ended (repeats, floods) once, deliver any first alert nobody delivered;"
                            + " log the stack's alarms going to ALARM",
                    COMMON,
                    FunctionSpec.TableAccess.NONE,
                    512,
                    60);

    public static final List<FunctionSpec> ALL =
            List.of(
                    IMAGE_ACTION,
                    IMAGE_VERIFY,
                    IMAGE_SCAN,
                    IMAGE_REPLICATION,
                    REPLICATION_BACKFILL,
                    BACKUP_START,
                    BACKUP_STATUS,
                    RESTORE_DRILL,
                    BACKUP_WATCHDOG,
                    IMAGE_ARCHIVE,
                    ARCHIVE_SCRUB,
                    ARCHIVE_PRUNE,
                    RELEASE_STATUS,
                    RELEASE_DRIFT,
                    LIFECYCLE_GUARD,
                    ALERT_SWEEP);

    private Catalog() {}

    public static Optional<FunctionSpec> byName(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(FunctionSpec::name).toList();
    }

    private static Set<Setting> with(Set<Setting> base, Object... more) {
        EnumSet<Setting> s = EnumSet.copyOf(base);
        for (Object m : more) {
            if (m instanceof Setting one) {
                s.add(one);
            } else {
                @SuppressWarnings("unchecked")
                Set<Setting> many = (Set<Setting>) m;
                s.addAll(many);
            }
        }
        return s;
    }
}
