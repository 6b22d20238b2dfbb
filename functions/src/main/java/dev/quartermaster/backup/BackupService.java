package dev.quartermaster.backup;

import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.registry.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    static final Set<String> FAILED_STATUSES = Set.of("Failed", "TimedOut", "Cancelled", "Cancelling", "DeliveryTimedOut",
            "ExecutionTimedOut", "Undeliverable", "Terminated", "InvalidPlatform", "AccessDenied");

    private final BackupConfig config;
    private final BackupStore store;
    private final BackupObjects objects;
    private final CommandRunner commands;
    private final LedgerStore markers;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final Clock clock;

    public BackupService(BackupConfig config, BackupStore store, BackupObjects objects, CommandRunner commands,
                         LedgerStore markers, IdempotencyStore idempotency, Alerts alerts, Clock clock) {
        this.config = config;
        this.store = store;
        this.objects = objects;
        this.commands = commands;
        this.markers = markers;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.clock = clock;
    }

    /**
     * The object key of a backup started at {@code at} by schedule event {@code eventId}: the event's id
     * is part of it, so two schedule events can never write the same key.
     */
    public String keyFor(Instant at, String eventId) {
        String ext = config.compression().equals("zstd") ? ".sql.zst" : ".sql.gz";
        String id = eventId.replaceAll("[^A-Za-z0-9-]", "");
        id = id.length() > 12 ? id.substring(0, 12) : id;
        return "backups/" + config.database() + "/" + DAY.format(at) + "/" + STAMP.format(at) + (id.isEmpty() ? "" : "-" + id) + ext;
    }

    /**
     * Sends the dump command for a schedule event, once: the work is claimed (a conditional IN_PROGRESS
     * record) before the command is sent, so a concurrent or repeated delivery sends nothing.
     *
     * @return empty if this event already started (or is starting) a backup
     */
    public Optional<BackupRecord> start(String eventId, Instant scheduledAt) {
        return once("backup-start#" + eventId, () -> {
            String key = keyFor(scheduledAt, eventId);
            Map<String, String> params = HostDocument.DUMP.call().with(HostParam.BUCKET, config.bucket()).with(HostParam.KEY, key)
                    .with(HostParam.DATABASE, config.database()).with(HostParam.CONTAINER, config.container())
                    .with(HostParam.COMPRESSION, config.compression()).with(HostParam.PASSWORD_PARAMETER, config.passwordParameter()).parameters();
            return send(BackupRecord.Kind.BACKUP, config.dumpDocument(), params, scheduledAt, key, eventId,
                    "Quartermaster backup of " + config.database());
        });
    }

    /** Sends a restore drill of the latest verified backup (the drill document: always a scratch database). */
    public Optional<BackupRecord> drill(String eventId, Instant at) {
        return once("drill-start#" + eventId, () -> {
            Optional<BackupRecord> latest = store.latestVerified(config.database());
            if (latest.isEmpty()) {
                alerts.publish(new Alert("DRILL_FAILED", "Restore drill skipped: no verified backup of " + config.database(),
                        "The weekly restore drill found no verified backup of " + config.database() + " to restore. "
                                + "Check the backup schedule and the last backups (bin/qm backups --aws).",
                        Map.of("database", config.database())));
                return Optional.empty();
            }
            Map<String, String> params = HostDocument.DRILL.call().with(HostParam.BUCKET, config.bucket()).with(HostParam.KEY, latest.get().key())
                    .with(HostParam.DATABASE, config.database()).with(HostParam.CONTAINER, config.container())
                    .with(HostParam.PASSWORD_PARAMETER, config.passwordParameter()).parameters();
            return send(BackupRecord.Kind.DRILL, config.drillDocument(), params, at, latest.get().key(), eventId,
                    "Quartermaster restore drill of " + config.database());
        });
    }

    private Optional<BackupRecord> once(String key, java.util.function.Supplier<Optional<BackupRecord>> work) {
        if (idempotency.begin(key, Duration.ofMinutes(5)).state() != IdempotencyStore.State.ACQUIRED) {
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

    /** Sends the command and records it RUNNING; a host tag that names no instance or several is a recorded, alerted failure. */
    private Optional<BackupRecord> send(BackupRecord.Kind kind, String document, Map<String, String> params, Instant at,
                                        String key, String eventId, String comment) {
        String commandId;
        try {
            commandId = commands.send(document, params, config.host(), comment);
        } catch (CommandRunner.TargetException e) {
            BackupRecord failed = BackupRecord.running(kind, config.database(), at, "unsent-" + eventId, key, null)
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
    public enum Settled { FOREIGN_DOCUMENT, UNKNOWN_COMMAND, NOT_FINAL, ALREADY_SETTLED, VERIFIED, PASSED, FAILED }

    /** {@code record} is null when the command is not one of ours. */
    public record StatusResult(Settled settled, BackupRecord record) {
    }

    /** @param document the command's document as SSM names it (null when the event does not say) */
    public StatusResult onStatus(String commandId, String status, String document) {
        if (document != null && !document.equals(config.dumpDocument()) && !document.equals(config.drillDocument())) {
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
            outcome = r.kind() == BackupRecord.Kind.BACKUP ? commitAndVerify(r) : readDrillEvidence(r);
        } else if (FAILED_STATUSES.contains(status)) {
            outcome = r.failed("SSM command " + commandId + " ended " + status
                    + " (see its output under s3://" + config.bucket() + "/ssm-output/" + commandId + "/)", clock.instant());
        } else {
            return new StatusResult(Settled.NOT_FINAL, found.get());
        }
        if (!store.settle(outcome)) {
            return new StatusResult(Settled.ALREADY_SETTLED, store.byCommandId(commandId).orElse(null));
        }
        if (outcome.status() == BackupRecord.Status.FAILED) {
            alerts.publish(failureAlert(outcome));
        }
        return new StatusResult(Settled.valueOf(outcome.status().name()), outcome);
    }

    /**
     * The commit, from SSM's report that the dump succeeded: the host staged the object under staging/
     * (it may write nowhere else) and printed one QM-DUMP line (size, sha256, compression, versions).
     */
    BackupRecord commitAndVerify(BackupRecord r) {
        return commitAndVerify(r, commands.output(r.commandId()).orElse(""));
    }

    /**
     * The commit: reads the staged object once, hashing it, decompressing it and counting every table's
     * rows from the dump itself; checks size and sha256 against the host's line; copies the object to its
     * key under backups/ and writes the manifest beside it last; removes the staged object. Each step can
     * be repeated: a retry after a crash finds the staged object again, or the committed backup, which it
     * verifies against its manifest.
     *
     * @param hostOutput what the dump printed (its QM-DUMP line)
     */
    public BackupRecord commitAndVerify(BackupRecord r, String hostOutput) {
        String staged = "staging/" + r.key().substring("backups/".length());
        Instant now = clock.instant();
        Optional<BackupObjects.Head> head = objects.head(config.bucket(), staged);
        if (head.isEmpty()) {
            return verifyBackup(r); // committed already (a retry), or nothing was staged: verify says which
        }
        Optional<String> line = hostOutput.lines().filter(l -> l.startsWith(DUMP_LINE)).reduce((a, b) -> b);
        if (line.isEmpty()) {
            return r.failed("the dump staged " + staged + " but printed no QM-DUMP line (see the command output)", now);
        }
        JsonNode host;
        try {
            host = JSON.readTree(line.get().substring(DUMP_LINE.length()));
        } catch (IOException e) {
            return r.failed("the dump's QM-DUMP line is not JSON", now);
        }
        // the size and checksum come from the stream itself, as QM-BYTES and QM-SHA256 lines
        long bytes = lastValue(hostOutput, BYTES_LINE).map(Long::parseLong).orElse(host.path("bytes").asLong(-1));
        String sha = lastValue(hostOutput, SHA_LINE).orElse(host.path("sha256").asText(""));
        String compression = host.path("compression").asText("");
        if (bytes < 0 || !sha.matches("[a-f0-9]{64}")) {
            return r.failed("the dump printed no size or checksum (QM-BYTES, QM-SHA256 lines)", now);
        }
        if (!r.key().equals(host.path("key").asText())) {
            return r.failed("the dump reports key " + dev.quartermaster.common.Text.oneLine(host.path("key").asText(), 200)
                    + ", not " + r.key(), now);
        }
        if (!compression.equals("gzip") && !compression.equals("zstd")) {
            return r.failed("the dump reports compression '" + dev.quartermaster.common.Text.oneLine(compression, 20) + "'", now);
        }
        if (head.get().size() != bytes) {
            return r.failed("the staged object is " + head.get().size() + " bytes, the dump reported " + bytes, now);
        }
        DumpRowCounter dump;
        String actual;
        try (Digests.CountingDigestStream raw = new Digests.CountingDigestStream(objects.open(config.bucket(), staged))) {
            try {
                dump = DumpRowCounter.read(decompress(raw, compression));
            } catch (IOException | RuntimeException unreadable) {
                return r.failed("the staged object does not decompress as " + compression + ": " + unreadable.getMessage(), now);
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // the compressed tail after the dump's last byte
            actual = raw.hex();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + staged + " failed: " + e.getMessage(), e);
        }
        if (!actual.equals(sha)) {
            return r.failed("the staged object hashes to " + actual + ", the dump reported " + sha, now);
        }
        if (!dump.databaseStatements().isEmpty()) {
            return r.failed("the dump leaves or creates a database (" + String.join(" | ", dump.databaseStatements())
                    + "): not a dump of " + config.database() + " alone, so it is not committed (a restore of it could touch other databases)", now);
        }
        Map<String, Long> tables = dump.rows();
        String manifest = manifest(r, host, bytes, sha, dump);
        objects.copy(config.bucket(), staged, r.key(), bytes, Map.of("sha256", sha, "bytes", Long.toString(bytes),
                "database", config.database()));
        Optional<BackupObjects.Head> committed = objects.head(config.bucket(), r.key());
        if (committed.isEmpty() || committed.get().size() != bytes) {
            return r.failed("the copy to " + r.key() + " is missing or has the wrong size", now);
        }
        objects.putText(config.bucket(), r.key() + ".manifest.json", manifest, "application/json");
        objects.delete(config.bucket(), staged);
        long rows = tables.values().stream().mapToLong(Long::longValue).sum();
        return r.verified(bytes, sha, tables.size(), rows, host.path("durationMs").asLong(0), now);
    }

    /** The value of the last output line starting with {@code prefix}, if it is a plain token. */
    private static Optional<String> lastValue(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).trim())
                .filter(v -> v.matches("[a-f0-9]{64}|[0-9]{1,19}")).reduce((x, y) -> y);
    }

    private static java.io.InputStream decompress(java.io.InputStream raw, String compression) throws IOException {
        java.io.InputStream buffered = new java.io.BufferedInputStream(raw, 256 * 1024);
        return compression.equals("zstd") ? new io.airlift.compress.zstd.ZstdInputStream(buffered)
                : new java.util.zip.GZIPInputStream(buffered, 256 * 1024);
    }

    /**
     * The manifest, one member per line as the restore script reads it (the tables one per line, names as
     * JSON strings): the host's facts, and the row counts backup-status counted from the dump.
     */
    static String manifest(BackupRecord r, JsonNode host, long bytes, String sha, DumpRowCounter dump) {
        Map<String, Long> tables = dump.rows();
        StringBuilder m = new StringBuilder("{\n");
        m.append("  \"key\": ").append(str(r.key())).append(",\n");
        m.append("  \"database\": ").append(str(r.database())).append(",\n");
        m.append("  \"bytes\": ").append(bytes).append(",\n");
        m.append("  \"sha256\": ").append(str(sha)).append(",\n");
        m.append("  \"compression\": ").append(str(host.path("compression").asText())).append(",\n");
        // the versions come from the dump's own header (the host no longer asks the server), else from the host's line
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("startedAt", host.path("startedAt").asText(""));
        facts.put("finishedAt", host.path("finishedAt").asText(""));
        facts.put("serverVersion", dump.serverVersion().isEmpty() ? host.path("serverVersion").asText("") : dump.serverVersion());
        facts.put("dumpTool", dump.dumpTool().isEmpty() ? host.path("dumpTool").asText("") : dump.dumpTool());
        facts.forEach((f, v) -> m.append("  \"").append(f).append("\": ").append(str(dev.quartermaster.common.Text.oneLine(v, 200))).append(",\n"));
        m.append("  \"durationMs\": ").append(host.path("durationMs").asLong(0)).append(",\n");
        m.append("  \"rowsCountedBy\": \"backup-status\",\n");
        m.append("  \"tables\": {\n");
        int i = 0;
        for (Map.Entry<String, Long> t : tables.entrySet()) {
            m.append("    ").append(str(t.getKey())).append(": ").append(t.getValue()).append(++i < tables.size() ? ",\n" : "\n");
        }
        m.append("  }\n}\n");
        return m.toString();
    }

    private static String str(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BackupRecord verified(BackupRecord r, JsonNode manifest, long bytes, String sha, Instant now) {
        int tables = manifest.path("tables").size();
        long rows = 0;
        for (JsonNode n : manifest.path("tables")) {
            rows += n.asLong();
        }
        return r.verified(bytes, sha, tables, rows, manifest.path("durationMs").asLong(0), now);
    }

    /** Checks the committed object against its manifest: present, same size, same sha256 (the whole object is hashed). */
    BackupRecord verifyBackup(BackupRecord r) {
        Instant now = clock.instant();
        Optional<String> manifestText = objects.text(config.bucket(), r.key() + ".manifest.json");
        if (manifestText.isEmpty()) {
            return r.failed("no manifest " + r.key() + ".manifest.json: the dump did not complete", now);
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestText.get());
        } catch (IOException e) {
            return r.failed("manifest of " + r.key() + " is not JSON", now);
        }
        long bytes = manifest.path("bytes").asLong(-1);
        String sha = manifest.path("sha256").asText("");
        Optional<BackupObjects.Head> head = objects.head(config.bucket(), r.key());
        if (head.isEmpty()) {
            return r.failed("backup object " + r.key() + " is missing although its manifest exists", now);
        }
        if (head.get().size() != bytes) {
            return r.failed("backup object is " + head.get().size() + " bytes, the manifest says " + bytes, now);
        }
        String metaSha = head.get().metadata().get("sha256");
        if (metaSha != null && !metaSha.equals(sha)) {
            return r.failed("object metadata sha256 " + metaSha + " differs from the manifest's " + sha, now);
        }
        String actual = sha256Of(r.key());
        if (!actual.equals(sha)) {
            return r.failed("backup object hashes to " + actual + ", the manifest says " + sha, now);
        }
        return verified(r, manifest, bytes, sha, now);
    }

    private String sha256Of(String key) {
        try (Digests.CountingDigestStream in = new Digests.CountingDigestStream(objects.open(config.bucket(), key))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return in.hex();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** The drill prints its evidence as one {@code QM-EVIDENCE {json}} line; the host writes no evidence object. */
    private BackupRecord readDrillEvidence(BackupRecord r) {
        Instant now = clock.instant();
        Optional<String> output = commands.output(r.commandId());
        Optional<String> line = output.flatMap(o -> o.lines().filter(l -> l.startsWith(EVIDENCE)).reduce((a, b) -> b));
        if (line.isEmpty()) {
            return r.failed("the drill reported success but printed no evidence", now);
        }
        try {
            JsonNode e = JSON.readTree(line.get().substring(EVIDENCE.length()));
            if (!"PASS".equals(e.path("result").asText())) {
                return r.failed("row counts differ from the manifest: " + dev.quartermaster.common.Text.oneLine(e.path("mismatches").toString(), 500), now);
            }
            return r.passed(e.path("tables").asInt(), e.path("rows").asLong(), e.path("durationMs").asLong(0), now);
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
            for (BackupRecord r : store.list(kind, config.database(), now.minus(Duration.ofDays(7)))) {
                if (r.status() == BackupRecord.Status.RUNNING && r.startedAt().plus(window).isBefore(now)) {
                    BackupRecord failed = r.failed("not settled within " + config.windowHours() + " h of its start", now);
                    if (store.settle(failed)) {
                        alerts.publish(failureAlert(failed));
                        timedOut.add(failed);
                    }
                }
            }
        }
        Optional<BackupRecord> latest = store.latestVerified(config.database());
        boolean stale = latest.map(b -> b.startedAt().plus(Duration.ofHours(config.maxAgeHours())).isBefore(now)).orElse(true);
        String marker = "stale-alert#" + config.database() + "#" + DAY.format(now);
        if (stale && !markers.isDone(marker)) {
            alerts.publish(new Alert("BACKUP_MISSING", "No verified backup of " + config.database() + " in " + config.maxAgeHours() + " h",
                    "The newest verified backup of " + config.database() + " is "
                            + latest.map(b -> "from " + b.startedAt()).orElse("missing") + ". Check the schedule, the host's SSM agent "
                            + "and the last attempts (bin/qm backups list --aws).", Map.of("database", config.database())));
            markers.markDone(marker);
        }
        return timedOut;
    }

    private Alert failureAlert(BackupRecord r) {
        String what = r.kind() == BackupRecord.Kind.BACKUP ? "Backup" : "Restore drill";
        return new Alert(r.kind() == BackupRecord.Kind.BACKUP ? "BACKUP_FAILED" : "DRILL_FAILED",
                what + " of " + r.database() + " failed",
                what + " of " + r.database() + " started " + r.startedAt() + " (command " + r.commandId() + ", key " + r.key()
                        + ") failed: " + r.error(),
                Map.of("database", r.database(), "commandId", r.commandId()));
    }
}
