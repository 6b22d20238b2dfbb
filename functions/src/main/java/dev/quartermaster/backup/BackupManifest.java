package dev.quartermaster.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.common.Text;

import java.util.Map;

/**
 * A committed backup's manifest, written beside it last: the host's facts (size, sha256,
 * compression, times, versions, the schema's fingerprint and WordPress db_version) and the row
 * count of every table, counted by backup-status from the dump itself. Written with Jackson, one
 * member per line and {@code "name": value} (the restore script reads the sha256, database and
 * compression lines and the tables one per line with sed, on hosts that may have no jq).
 */
record BackupManifest(
        String key,
        String database,
        long bytes,
        String sha256,
        String compression,
        String startedAt,
        String finishedAt,
        String serverVersion,
        String dumpTool,
        long durationMs,
        SchemaFingerprint schema,
        Map<String, Long> tables) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter WRITER =
            JSON.writer(
                    new DefaultPrettyPrinter()
                            .withSeparators(
                                    Separators.createDefaultInstance()
                                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                            .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    /**
     * From the host's QM-DUMP line and the dump as read: the versions from the dump's own header,
     * else from the host's line.
     */
    static BackupManifest of(
            BackupRecord r,
            JsonNode host,
            long bytes,
            String sha,
            DumpRowCounter dump,
            SchemaFingerprint schema) {
        return new BackupManifest(
                r.key(),
                r.database(),
                bytes,
                sha,
                host.path("compression").asText(),
                Text.oneLine(host.path("startedAt").asText(""), 200),
                Text.oneLine(host.path("finishedAt").asText(""), 200),
                Text.oneLine(
                        dump.serverVersion().isEmpty()
                                ? host.path("serverVersion").asText("")
                                : dump.serverVersion(),
                        200),
                Text.oneLine(
                        dump.dumpTool().isEmpty()
                                ? host.path("dumpTool").asText("")
                                : dump.dumpTool(),
                        200),
                host.path("durationMs").asLong(0),
                schema,
                dump.rows());
    }

    String json() {
        ObjectNode m = JSON.createObjectNode();
        m.put("key", key)
                .put("database", database)
                .put("bytes", bytes)
                .put("sha256", sha256)
                .put("compression", compression)
                .put("startedAt", startedAt)
                .put("finishedAt", finishedAt)
                .put("serverVersion", serverVersion)
                .put("dumpTool", dumpTool)
                .put("durationMs", durationMs)
                .put("rowsCountedBy", "backup-status");
        if (schema != null) {
            m.put("schemaFingerprint", schema.fingerprint()).put("dbVersion", schema.dbVersion());
        }
        ObjectNode t = m.putObject("tables");
        tables.forEach(t::put);
        try {
            return WRITER.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
