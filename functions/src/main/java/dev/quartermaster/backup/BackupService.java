package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.LedgerStore;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Scheduled backups and drills: start them on the host, settle them from SSM's status events,
 * verify every backup object against its manifest, and alert on anything that is not a verified
 * backup (a failed command, a bad object, a schedule that produced nothing in time).
 */
public final class BackupService {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String EVIDENCE = "QM-EVIDENCE ";
    static final String DUMP_LINE = "QM-DUMP ";
    static final String SHA_LINE = "QM-SHA256 ";
    static final String BYTES_LINE = "QM-BYTES ";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    static final Set<String> FAILED_STATUSES =
            Set.of(
                    "Failed",
                    "TimedOut",
                    "Cancelled",
                    "Cancelling",
                    "DeliveryTimedOut",
                    "ExecutionTimedOut",
                    "Undeliverable",
                    "Terminated",
                    "InvalidPlatform",
                    "AccessDenied");

    private final BackupConfig config;
    private final BackupStore store;
    private final BackupObjects objects;
    private final CommandRunner commands;
    private final LedgerStore markers;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final Clock clock;
    private final BackupCommit commit;

    public BackupService(
            BackupConfig config,
            BackupStore store,
            BackupObjects objects,
            CommandRunner commands,
            LedgerStore markers,
            IdempotencyStore idempotency,
            Alerts alerts,
            Clock clock) {
        this.config = config;
        this.store = store;
        this.objects = objects;
        this.commands = commands;
        this.markers = markers;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.clock = clock;
        this.commit = new BackupCommit(config, objects, clock);
    }

    /**
     * The object key of a backup started at {@code at} by schedule event {@code eventId}: the
     * event's id is part of it, so two schedule events can never write the same key.
     */
    public String keyFor(Instant at, String eventId) {
        String ext = config.compression().equals("zstd") ? ".sql.zst" : ".sql.gz";
        String id = eventId.replaceAll("[^A-Za-z0-9-]", "");
        id = id.length() > 12 ? id.substring(0, 12) : id;
        return "backups/"
                + config.database()
                + "/"
                + DAY.format(at)
                + "/"
                + STAMP.format(at)
                + (id.isEmpty() ? "" : "-" + id)
                + ext;
    }

    /**
     * Sends the dump command for a schedule event, once: the work is claimed (a conditional
     * IN_PROGRESS record) before the command is sent, so a concurrent or repeated delivery sends
     * nothing.
     *
     * @return empty if this event already started (or is starting) a backup
     */
    public Optional<BackupRecord> start(String eventId, Instant scheduledAt) {
        return once(
                "backup-start#" + eventId,
                () -> {
                    String key = keyFor(scheduledAt, eventId);
                    Map<String, String> params =
                            HostDocument.DUMP
                                    .call()
                                    .with(HostParam.BUCKET, config.bucket())
                                    .with(HostParam.KEY, key)
                                    .with(HostParam.DATABASE, config.database())
                                    .with(HostParam.CONTAINER, config.container())
                                    .with(HostParam.COMPRESSION, config.compression())
                                    .with(HostParam.PASSWORD_PARAMETER, config.passwordParameter())
                                    .parameters();
                    return send(
                            BackupRecord.Kind.BACKUP,
                            config.dumpDocument(),
                            params,
                            scheduledAt,
                            key,
                            eventId,
                            "Quartermaster backup of " + config.database());
                });
    }

    /**
     * Sends a restore drill of the latest verified backup (the drill document: always a scratch
     * database).
     */
    public Optional<BackupRecord> drill(String eventId, Instant at) {
        return once(
                "drill-start#" + eventId,
                () -> {
                    Optional<BackupRecord> latest = store.latestVerified(config.database());
                    if (latest.isEmpty()) {
                        alerts.publish(
                                new Alert(
                                                "DRILL_FAILED",
                                                "Restore drill skipped: no verified backup of "
                                                        + config.database(),
                                                "The weekly restore drill found no verified backup of "
                                                        + config.database()
                                                        + " to restore. "
                                                        + "Check the backup schedule and the last backups (bin/qm backups --aws).",
                                                Map.of("database", config.database()))
                                        .withNext(
                                                "bin/qm backups --database "
                                                        + config.database()
                                                        + " --aws"));
                        return Optional.empty();
                    }
                    Map<String, String> params =
                            HostDocument.DRILL
                                    .call()
                                    .with(HostParam.BUCKET, config.bucket())
                                    .with(HostParam.KEY, latest.get().key())
                                    .with(HostParam.DATABASE, config.database())
                                    .with(HostParam.CONTAINER, config.container())
                                    .with(HostParam.PASSWORD_PARAMETER, config.passwordParameter())
                                    .parameters();
                    return send(
                            BackupRecord.Kind.DRILL,
                            config.drillDocument(),
                            params,
                            at,
                            latest.get().key(),
                            eventId,
                            "Quartermaster restore drill of " + config.database());
                });
    }

    private Optional<BackupRecord> once(
            String key, java.util.function.Supplier<Optional<BackupRecord>> work) {
        if (idempotency.begin(key, Duration.ofMinutes(5)).state()
                != IdempotencyStore.State.ACQUIRED) {
            return Optional.empty();
        }
        try {
            Optional<BackupRecord> r = work.get();
            idempotency.complete(key, r.map(BackupRecord::commandId).orElse("none"));
            return r;
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /**
     * Sends the command and records it RUNNING; a host tag that names no instance or several is a
     * recorded, alerted failure.
     */
    private Optional<BackupRecord> send(
            BackupRecord.Kind kind,
            String document,
            Map<String, String> params,
            Instant at,
            String key,
            String eventId,
            String comment) {
        String commandId;
        try {
            commandId = commands.send(document, params, config.host(), comment);
        } catch (CommandRunner.TargetException e) {
            BackupRecord failed =
                    BackupRecord.running(
                                    kind, config.database(), at, "unsent-" + eventId, key, null)
                            .failed("no command sent: " + e.getMessage(), clock.instant());
            store.create(failed);
            alerts.publish(failureAlert(failed));
            return Optional.of(failed);
        }
        BackupRecord r = BackupRecord.running(kind, config.database(), at, commandId, key, null);
        store.create(r);
        return Optional.of(r);
    }

    /** The result of settling one SSM status event. */
    public enum Settled {
        FOREIGN_DOCUMENT,
        UNKNOWN_COMMAND,
        NOT_FINAL,
        ALREADY_SETTLED,
        VERIFIED,
        PASSED,
        FAILED
    }

    /** {@code record} is null when the command is not one of ours. */
    public record StatusResult(Settled settled, BackupRecord record) {}

    /**
     * @param document the command's document as SSM names it (null when the event does not say)
     */
    public StatusResult onStatus(String commandId, String status, String document) {
        if (document != null
                && !document.equals(config.dumpDocument())
                && !document.equals(config.drillDocument())) {
            return new StatusResult(Settled.FOREIGN_DOCUMENT, null);
        }
        return onStatus(commandId, status);
    }

    public StatusResult onStatus(String commandId, String status) {
        Optional<BackupRecord> found = store.byCommandId(commandId);
        if (found.isEmpty()) {
            return new StatusResult(Settled.UNKNOWN_COMMAND, null);
        }
        BackupRecord r = found.get();
        if (r.status().terminal()) {
            return new StatusResult(Settled.ALREADY_SETTLED, found.get());
        }
        BackupRecord outcome;
        if ("Success".equals(status)) {
            outcome =
                    r.kind() == BackupRecord.Kind.BACKUP
                            ? commitAndVerify(r)
                            : readDrillEvidence(r);
        } else if (FAILED_STATUSES.contains(status)) {
            outcome =
                    r.failed(
                            "SSM command "
                                    + commandId
                                    + " ended "
                                    + status
                                    + " (see its output under s3://"
                                    + config.bucket()
                                    + "/ssm-output/"
                                    + commandId
                                    + "/)",
                            clock.instant());
        } else {
            return new StatusResult(Settled.NOT_FINAL, found.get());
        }
        if (!store.settle(outcome)) {
            return new StatusResult(
                    Settled.ALREADY_SETTLED, store.byCommandId(commandId).orElse(null));
        }
        if (outcome.status() == BackupRecord.Status.FAILED) {
            alerts.publish(failureAlert(outcome));
        }
        return new StatusResult(Settled.valueOf(outcome.status().name()), outcome);
    }

    /**
     * The commit, from SSM's report that the dump succeeded: the host staged the object under
     * staging/ (it may write nowhere else) and printed one QM-DUMP line (size, sha256, compression,
     * versions).
     */
    BackupRecord commitAndVerify(BackupRecord r) {
        return commitAndVerify(r, commands.output(r.commandId()).orElse(""));
    }

    /**
     * @param hostOutput what the dump printed (its QM-DUMP line); see {@link BackupCommit#commit}
     */
    public BackupRecord commitAndVerify(BackupRecord r, String hostOutput) {
        return commit.commit(r, hostOutput);
    }

    /**
     * The drill prints its evidence as one {@code QM-EVIDENCE {json}} line; the host writes no
     * evidence object.
     */
    private BackupRecord readDrillEvidence(BackupRecord r) {
        Instant now = clock.instant();
        Optional<String> output = commands.output(r.commandId());
        Optional<String> line =
                output.flatMap(
                        o -> o.lines().filter(l -> l.startsWith(EVIDENCE)).reduce((a, b) -> b));
        if (line.isEmpty()) {
            return r.failed("the drill reported success but printed no evidence", now);
        }
        try {
            JsonNode e = JSON.readTree(line.get().substring(EVIDENCE.length()));
            if (!"PASS".equals(e.path("result").asText())) {
                return r.failed(
                        "row counts differ from the manifest: "
                                + dev.quartermaster.common.Text.oneLine(
                                        e.path("mismatches").toString(), 500),
                        now);
            }
            return r.passed(
                    e.path("tables").asInt(),
                    e.path("rows").asLong(),
                    e.path("durationMs").asLong(0),
                    now);
        } catch (IOException ex) {
            return r.failed("the drill's evidence line is not JSON", now);
        }
    }

    /**
     * Runs hourly: a backup still RUNNING after its window is failed and alerted; a newest verified
     * backup older than the allowed age is alerted once a day.
     */
    public List<BackupRecord> watchdog() {
        Instant now = clock.instant();
        Duration window = Duration.ofHours(config.windowHours());
        List<BackupRecord> timedOut = new java.util.ArrayList<>();
        for (BackupRecord.Kind kind : BackupRecord.Kind.values()) {
            for (BackupRecord r :
                    store.list(kind, config.database(), now.minus(Duration.ofDays(7)))) {
                if (r.status() == BackupRecord.Status.RUNNING
                        && r.startedAt().plus(window).isBefore(now)) {
                    BackupRecord failed =
                            r.failed(
                                    "not settled within "
                                            + config.windowHours()
                                            + " h of its start",
                                    now);
                    if (store.settle(failed)) {
                        alerts.publish(failureAlert(failed));
                        timedOut.add(failed);
                    }
                }
            }
        }
        Optional<BackupRecord> latest = store.latestVerified(config.database());
        boolean stale =
                latest.map(
                                b ->
                                        b.startedAt()
                                                .plus(Duration.ofHours(config.maxAgeHours()))
                                                .isBefore(now))
                        .orElse(true);
        String marker = "stale-alert#" + config.database() + "#" + DAY.format(now);
        if (stale && !markers.isDone(marker)) {
            alerts.publish(
                    new Alert(
                                    "BACKUP_MISSING",
                                    "No verified backup of "
                                            + config.database()
                                            + " in "
                                            + config.maxAgeHours()
                                            + " h",
                                    "The newest verified backup of "
                                            + config.database()
                                            + " is "
                                            + latest.map(b -> "from " + b.startedAt())
                                                    .orElse("missing")
                                            + ". Check the schedule, the host's SSM agent "
                                            + "and the last attempts (bin/qm backups --aws).",
                                    Map.of("database", config.database()))
                            .withNext("bin/qm backup-now --aws"));
            markers.markDone(marker);
        }
        return timedOut;
    }

    /**
     * Hours since the newest verified backup started ({@link
     * dev.quartermaster.contract.Metric#NO_BACKUP_AGE_HOURS} when there is none).
     */
    public double latestVerifiedAgeHours() {
        return store.latestVerified(config.database())
                .map(b -> Duration.between(b.startedAt(), clock.instant()).toMinutes() / 60.0)
                .orElse(dev.quartermaster.contract.Metric.NO_BACKUP_AGE_HOURS);
    }

    private Alert failureAlert(BackupRecord r) {
        String what = r.kind() == BackupRecord.Kind.BACKUP ? "Backup" : "Restore drill";
        return new Alert(
                        r.kind() == BackupRecord.Kind.BACKUP ? "BACKUP_FAILED" : "DRILL_FAILED",
                        what + " of " + r.database() + " failed",
                        what
                                + " of "
                                + r.database()
                                + " started "
                                + r.startedAt()
                                + " (command "
                                + r.commandId()
                                + ", key "
                                + r.key()
                                + ") failed: "
                                + r.error(),
                        Map.of("database", r.database(), "commandId", r.commandId()))
                .withNext(
                        "bin/qm backups --database "
                                + r.database()
                                + (r.kind() == BackupRecord.Kind.DRILL ? " --drills" : "")
                                + " --aws");
    }

    /** The backup's settings (the documents its commands run, where its objects go). */
    public BackupConfig config() {
        return config;
    }
}
