package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Optional;

/**
 * A database's schema as the host scripts fingerprint it (qm-lib.sh's qm_schema_fingerprint): the
 * sha256 of its tables, columns and indexes as information_schema lists them, plus WordPress's
 * {@code db_version} option (empty when there is none). Data never counts: rows, AUTO_INCREMENT
 * counters and sizes are left out.
 *
 * @param fingerprint 64 hex characters
 * @param dbVersion WordPress's db_version option ("" when the database has none)
 * @param tables how many tables the host counted (-1: not known, e.g. read back from a record)
 */
public record SchemaFingerprint(String fingerprint, String dbVersion, int tables) {
    /** The line the dump and the fingerprint script print. */
    public static final String LINE = "QM-SCHEMA ";

    private static final ObjectMapper JSON = new ObjectMapper();

    public SchemaFingerprint {
        if (fingerprint == null || !fingerprint.matches("[a-f0-9]{64}")) {
            throw new IllegalArgumentException("a schema fingerprint is 64 hex characters");
        }
        dbVersion = dbVersion == null ? "" : dbVersion;
        if (!dbVersion.matches("[A-Za-z0-9._+-]{0,64}")) {
            throw new IllegalArgumentException("db_version holds unexpected characters");
        }
    }

    /**
     * The last QM-SCHEMA line of a host script's output; empty when there is none or it is not
     * well-formed (a host's output is untrusted: anything else is ignored).
     */
    public static Optional<SchemaFingerprint> parse(String output) {
        if (output == null) {
            return Optional.empty();
        }
        Optional<String> line = output.lines().filter(l -> l.startsWith(LINE)).reduce((a, b) -> b);
        if (line.isEmpty() || line.get().length() > 1000) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(line.get().substring(LINE.length()));
            return Optional.of(
                    new SchemaFingerprint(
                            n.path("fingerprint").asText(""),
                            n.path("dbVersion").asText(""),
                            n.path("tables").asInt(-1)));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Same tables, columns, indexes and db_version. */
    public boolean sameSchemaAs(SchemaFingerprint other) {
        return other != null && fingerprint.equals(other.fingerprint);
    }

    /** The db_version as a person reads it ("none" when the database has none). */
    public String dbVersionOrNone() {
        return dbVersion.isEmpty() ? "none" : dbVersion;
    }

    /** "db_version 57155, schema 3f2a9c01b2de" */
    public String describe() {
        return "db_version " + dbVersionOrNone() + ", schema " + fingerprint.substring(0, 12);
    }
}
