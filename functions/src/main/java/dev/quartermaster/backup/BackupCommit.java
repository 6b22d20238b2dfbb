package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.registry.Digests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.backup.BackupService.BYTES_LINE;
import static dev.quartermaster.backup.BackupService.DUMP_LINE;
import static dev.quartermaster.backup.BackupService.SHA_LINE;

/**
 * A dump's commit, and the proof of a committed backup: the host stages the object under staging/
 * and prints what it wrote; this reads it once, checks it against that, copies it under backups/
 * and writes its manifest beside it last. The object store is the one adapter; every decision here
 * is plain Java.
 */
final class BackupCommit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BackupConfig config;
    private final BackupObjects objects;
    private final Clock clock;

    BackupCommit(BackupConfig config, BackupObjects objects, Clock clock) {
        this.config = config;
        this.objects = objects;
        this.clock = clock;
    }

    /**
     * The commit: reads the staged object once, hashing it, decompressing it and counting every
     * table's rows from the dump itself; checks size and sha256 against the host's line; copies the
     * object to its key under backups/ and writes the manifest beside it last; removes the staged
     * object. Each step can be repeated: a retry after a crash finds the staged object again, or
     * the committed backup, which it verifies against its manifest.
     *
     * @param hostOutput what the dump printed (its QM-DUMP line)
     */
    BackupRecord commit(BackupRecord r, String hostOutput) {
        String staged = "staging/" + r.key().substring("backups/".length());
        Instant now = clock.instant();
        Optional<BackupObjects.Head> head = objects.head(config.bucket(), staged);
        if (head.isEmpty()) {
            return verify(
                    r); // committed already (a retry), or nothing was staged: verify says which
        }
        Optional<String> line =
                hostOutput.lines().filter(l -> l.startsWith(DUMP_LINE)).reduce((a, b) -> b);
        if (line.isEmpty()) {
            return r.failed(
                    "the dump staged "
                            + staged
                            + " but printed no QM-DUMP line (see the command output)",
                    now);
        }
        JsonNode host;
        try {
            host = JSON.readTree(line.get().substring(DUMP_LINE.length()));
        } catch (IOException e) {
            return r.failed("the dump's QM-DUMP line is not JSON", now);
        }
        // the size and checksum come from the stream itself, as QM-BYTES and QM-SHA256 lines
        long bytes =
                lastValue(hostOutput, BYTES_LINE)
                        .map(Long::parseLong)
                        .orElse(host.path("bytes").asLong(-1));
        String sha = lastValue(hostOutput, SHA_LINE).orElse(host.path("sha256").asText(""));
        String compression = host.path("compression").asText("");
        if (bytes < 0 || !sha.matches("[a-f0-9]{64}")) {
            return r.failed(
                    "the dump printed no size or checksum (QM-BYTES, QM-SHA256 lines)", now);
        }
        if (!r.key().equals(host.path("key").asText())) {
            return r.failed(
                    "the dump reports key "
                            + dev.quartermaster.common.Text.oneLine(host.path("key").asText(), 200)
                            + ", not "
                            + r.key(),
                    now);
        }
        if (!compression.equals("gzip") && !compression.equals("zstd")) {
            return r.failed(
                    "the dump reports compression '"
                            + dev.quartermaster.common.Text.oneLine(compression, 20)
                            + "'",
                    now);
        }
        if (head.get().size() != bytes) {
            return r.failed(
                    "the staged object is "
                            + head.get().size()
                            + " bytes, the dump reported "
                            + bytes,
                    now);
        }
        DumpRowCounter dump;
        String actual;
        try (Digests.CountingDigestStream raw =
                new Digests.CountingDigestStream(objects.open(config.bucket(), staged))) {
            try {
                dump = DumpRowCounter.read(decompress(raw, compression));
            } catch (IOException | RuntimeException unreadable) {
                return r.failed(
                        "the staged object does not decompress as "
                                + compression
                                + ": "
                                + unreadable.getMessage(),
                        now);
            }
            raw.transferTo(
                    java.io.OutputStream
                            .nullOutputStream()); // the compressed tail after the dump's last byte
            actual = raw.hex();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + staged + " failed: " + e.getMessage(), e);
        }
        if (!actual.equals(sha)) {
            return r.failed(
                    "the staged object hashes to " + actual + ", the dump reported " + sha, now);
        }
        if (!dump.databaseStatements().isEmpty()) {
            return r.failed(
                    "the dump leaves or creates a database ("
                            + String.join(" | ", dump.databaseStatements())
                            + "): not a dump of "
                            + config.database()
                            + " alone, so it is not committed (a restore of it could touch other databases)",
                    now);
        }
        Map<String, Long> tables = dump.rows();
        // the schema's fingerprint the dump printed as it started (none from a dump script before
        // fingerprints: the backup is still a backup, only a rollback cannot compare against it)
        SchemaFingerprint schema = SchemaFingerprint.parse(hostOutput).orElse(null);
        String manifest = BackupManifest.of(r, host, bytes, sha, dump, schema).json();
        objects.copy(
                config.bucket(),
                staged,
                r.key(),
                bytes,
                Map.of(
                        "sha256",
                        sha,
                        "bytes",
                        Long.toString(bytes),
                        "database",
                        config.database()));
        Optional<BackupObjects.Head> committed = objects.head(config.bucket(), r.key());
        if (committed.isEmpty() || committed.get().size() != bytes) {
            return r.failed("the copy to " + r.key() + " is missing or has the wrong size", now);
        }
        objects.putText(config.bucket(), r.key() + ".manifest.json", manifest, "application/json");
        objects.delete(config.bucket(), staged);
        long rows = tables.values().stream().mapToLong(Long::longValue).sum();
        return r.verified(bytes, sha, tables.size(), rows, host.path("durationMs").asLong(0), now)
                .withSchema(schema);
    }

    /** The value of the last output line starting with {@code prefix}, if it is a plain token. */
    private static Optional<String> lastValue(String output, String prefix) {
        return output.lines()
                .filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length()).trim())
                .filter(v -> v.matches("[a-f0-9]{64}|[0-9]{1,19}"))
                .reduce((x, y) -> y);
    }

    private static java.io.InputStream decompress(java.io.InputStream raw, String compression)
            throws IOException {
        java.io.InputStream buffered = new java.io.BufferedInputStream(raw, 256 * 1024);
        return compression.equals("zstd")
                ? new io.airlift.compress.zstd.ZstdInputStream(buffered)
                : new java.util.zip.GZIPInputStream(buffered, 256 * 1024);
    }

    private static BackupRecord verified(
            BackupRecord r, JsonNode manifest, long bytes, String sha, Instant now) {
        int tables = manifest.path("tables").size();
        long rows = 0;
        for (JsonNode n : manifest.path("tables")) {
            rows += n.asLong();
        }
        SchemaFingerprint schema = null;
        try {
            schema =
                    manifest.hasNonNull("schemaFingerprint")
                            ? new SchemaFingerprint(
                                    manifest.path("schemaFingerprint").asText(),
                                    manifest.path("dbVersion").asText(""),
                                    -1)
                            : null;
        } catch (IllegalArgumentException e) {
            schema = null; // a manifest's fingerprint that is not one: none recorded
        }
        return r.verified(bytes, sha, tables, rows, manifest.path("durationMs").asLong(0), now)
                .withSchema(schema);
    }

    /**
     * Checks the committed object against its manifest: present, same size, same sha256 (the whole
     * object is hashed).
     */
    BackupRecord verify(BackupRecord r) {
        Instant now = clock.instant();
        Optional<String> manifestText = objects.text(config.bucket(), r.key() + ".manifest.json");
        if (manifestText.isEmpty()) {
            return r.failed(
                    "no manifest " + r.key() + ".manifest.json: the dump did not complete", now);
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
            return r.failed(
                    "backup object " + r.key() + " is missing although its manifest exists", now);
        }
        if (head.get().size() != bytes) {
            return r.failed(
                    "backup object is " + head.get().size() + " bytes, the manifest says " + bytes,
                    now);
        }
        String metaSha = head.get().metadata().get("sha256");
        if (metaSha != null && !metaSha.equals(sha)) {
            return r.failed(
                    "object metadata sha256 " + metaSha + " differs from the manifest's " + sha,
                    now);
        }
        String actual = sha256Of(r.key());
        if (!actual.equals(sha)) {
            return r.failed(
                    "backup object hashes to " + actual + ", the manifest says " + sha, now);
        }
        return verified(r, manifest, bytes, sha, now);
    }

    private String sha256Of(String key) {
        try (Digests.CountingDigestStream in =
                new Digests.CountingDigestStream(objects.open(config.bucket(), key))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return in.hex();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " failed: " + e.getMessage(), e);
        }
    }
}
