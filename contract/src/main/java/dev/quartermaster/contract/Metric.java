package dev.quartermaster.contract;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every metric a function emits (EMF through Powertools) and the stack's dashboard and alarms read:
 * one namespace, one dimension ({@value #DIMENSION}={@value #DIMENSION_VALUE}, set on every
 * function) and these names. A function can only emit a name listed here ({@link #byName} refuses
 * others); the stack builds its widgets and alarms from these entries, and the integration tier
 * proves each one the stack reads is emitted by a real run.
 */
public enum Metric {
    EVENTS_RECORDED("EventsRecorded", Unit.COUNT, "events handled and recorded (every function)"),
    EVENTS_DUPLICATE(
            "EventsDuplicate",
            Unit.COUNT,
            "redelivered events answered from the first delivery's record"),
    EVENTS_IGNORED(
            "EventsIgnored",
            Unit.COUNT,
            "events deliberately not acted on (not ours, not final, nothing to do)"),
    EVENTS_REJECTED("EventsRejected", Unit.COUNT, "malformed events, rejected with the reason"),
    VERDICT_VERIFIED(
            "VerdictVERIFIED", Unit.COUNT, "pushes whose image holds what the tag promises"),
    VERDICT_MISMATCH(
            "VerdictMISMATCH",
            Unit.COUNT,
            "pushes whose image holds another version than the tag promises"),
    VERDICT_UNVERIFIABLE(
            "VerdictUNVERIFIABLE",
            Unit.COUNT,
            "pushes whose version could not be found within the budget"),
    VERDICT_NO_RULE("VerdictNO_RULE", Unit.COUNT, "pushes whose tag no verify rule covers"),
    VERDICT_FAILED_SCAN(
            "VerdictFAILED_SCAN", Unit.COUNT, "verdicts replaced by a failed scan gate"),
    SIGNATURE_SIGNED("SignatureSIGNED", Unit.COUNT, "pushes signed by a trusted identity"),
    SIGNATURE_UNSIGNED("SignatureUNSIGNED", Unit.COUNT, "pushes no signature refers to"),
    SIGNATURE_INVALID(
            "SignatureINVALID",
            Unit.COUNT,
            "pushes whose signatures do not verify or are by an untrusted identity"),
    SIGNATURE_PENDING(
            "SignaturePENDING",
            Unit.COUNT,
            "pushes the registry was still signing when the check ended"),
    SIGNATURE_FAILED("SignatureFAILED", Unit.COUNT, "pushes the registry failed to sign"),
    REPLICA_PENDING(
            "ReplicaPENDING", Unit.COUNT, "pushed digests awaited in a replication destination"),
    REPLICA_REPLICATED(
            "ReplicaREPLICATED", Unit.COUNT, "digests proven present in a replication destination"),
    REPLICA_FAILED("ReplicaFAILED", Unit.COUNT, "digests ECR failed to replicate to a destination"),
    REPLICA_LATE("ReplicaLATE", Unit.COUNT, "digests not replicated within the deadline"),
    INSPECTOR_FINDINGS(
            "InspectorFindings",
            Unit.COUNT,
            "Amazon Inspector findings recorded (new, updated or closed)"),
    RUNNING_IMAGE_VULNERABLE(
            "RunningImageVulnerable",
            Unit.COUNT,
            "new findings over the gate on the digest a host runs"),
    VERIFICATION_FAILED(
            "VerificationFailed", Unit.COUNT, "verdicts that alert (mismatch, unverifiable)"),
    SCAN_GATE_FAILED("ScanGateFailed", Unit.COUNT, "scans over the allowed critical/high findings"),
    TAG_MOVED("TagMoved", Unit.COUNT, "tags pushed again onto another digest"),
    ARCHIVE_BYTES_STORED("ArchiveBytesStored", Unit.BYTES, "bytes an archive run wrote to S3"),
    ARCHIVE_BYTES_DEDUPLICATED(
            "ArchiveBytesDeduplicated", Unit.BYTES, "bytes an archive run found already archived"),
    ARCHIVE_FAILED("ArchiveFailed", Unit.COUNT, "images the archive could not copy"),
    ARCHIVE_INCOMPLETE(
            "ArchiveIncomplete",
            Unit.COUNT,
            "archived images the scrub found incomplete or corrupt"),
    RECONCILE_ARCHIVED(
            "ReconcileArchived",
            Unit.COUNT,
            "images the daily reconcile found missing and archived"),
    BACKUP_VERIFIED("BackupVerified", Unit.COUNT, "backups committed and verified"),
    BACKUP_PASSED("BackupPassed", Unit.COUNT, "restore drills that passed"),
    BACKUP_FAILED("BackupFailed", Unit.COUNT, "backups or drills that failed"),
    BACKUP_BYTES("BackupBytes", Unit.BYTES, "size of each verified backup (compressed)"),
    BACKUP_SECONDS(
            "BackupSeconds", Unit.SECONDS, "duration of each verified backup, start to commit"),
    DRILL_SECONDS(
            "DrillSeconds",
            Unit.SECONDS,
            "duration of each passed drill (restore into scratch and compare)"),
    BACKUP_AGE_HOURS(
            "BackupAgeHours",
            Unit.NONE,
            "age of the newest verified backup, hourly from the watchdog (no backup: 8760)"),
    RELEASE_RELEASED(
            "ReleaseReleased",
            Unit.COUNT,
            "releases (and rollbacks) that ended with the digest proven running"),
    RELEASE_ROLLED_BACK("ReleaseRolledBack", Unit.COUNT, "releases the host rolled back by itself"),
    RELEASE_ROLLBACK_FAILED(
            "ReleaseRollbackFailed", Unit.COUNT, "releases whose rollback failed too"),
    RELEASE_REFUSED("ReleaseRefused", Unit.COUNT, "releases the host refused"),
    RELEASE_FAILED("ReleaseFailed", Unit.COUNT, "releases that failed without a report"),
    RELEASE_CHECKED("ReleaseChecked", Unit.COUNT, "drift checks answered"),
    RELEASE_SENT("ReleaseSent", Unit.COUNT, "overrides recorded as sent"),
    RELEASE_SECONDS(
            "ReleaseSeconds",
            Unit.SECONDS,
            "duration of each release, request to the host's report"),
    RELEASE_DRIFT(
            "ReleaseDrift", Unit.COUNT, "drift checks that found another digest than released"),
    LIFECYCLE_EXPIRED("LifecycleExpired", Unit.COUNT, "images ECR's lifecycle policy acted on"),
    LIFECYCLE_LOSS(
            "LifecycleLoss", Unit.COUNT, "of those, images a release needed or the archive lacked"),
    PROTECTED_DIGESTS(
            "ProtectedDigests", Unit.COUNT, "digests carrying the release mark after a sweep"),
    PROTECTION_SWEEP_FAILED(
            "ProtectionSweepFailed", Unit.COUNT, "sweeps of the release marks that failed");

    public static final String NAMESPACE = "Quartermaster";
    public static final String DIMENSION = "Application";
    public static final String DIMENSION_VALUE = "Quartermaster";

    /**
     * The second dimension some metrics also carry, in a metric of their own ({@code Application} +
     * this): the verdicts and failed scan gates per repository, which the dashboard shows per
     * managed repository.
     */
    public static final String REPOSITORY_DIMENSION = "Repository";

    /**
     * What BackupAgeHours says when there is no verified backup at all: a year, above any allowed
     * age.
     */
    public static final double NO_BACKUP_AGE_HOURS = 8760;

    public enum Unit {
        COUNT,
        BYTES,
        SECONDS,
        NONE
    }

    private static final Map<String, Metric> BY_NAME =
            Arrays.stream(values())
                    .collect(Collectors.toMap(Metric::metricName, Function.identity()));

    private final String metricName;
    private final Unit unit;
    private final String meaning;

    Metric(String metricName, Unit unit, String meaning) {
        this.metricName = metricName;
        this.unit = unit;
        this.meaning = meaning;
    }

    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }

    public String meaning() {
        return meaning;
    }

    /** The entry of a name; a name the contract does not list is a programming error. */
    public static Metric byName(String name) {
        Metric m = BY_NAME.get(name);
        if (m == null) {
            throw new IllegalArgumentException(
                    "metric '"
                            + name
                            + "' is not in the metric contract (contract/Metric): add it there");
        }
        return m;
    }
}
