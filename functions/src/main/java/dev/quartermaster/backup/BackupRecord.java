package dev.quartermaster.backup;

import java.time.Instant;

/**
 * One backup (kind BACKUP) or restore drill (kind DRILL) as the ledger keeps it. Status: RUNNING,
 * then VERIFIED or FAILED for a backup, PASSED or FAILED for a drill.
 */
public record BackupRecord(
        Kind kind,
        String database,
        Instant startedAt,
        String commandId,
        String key,
        Status status,
        long bytes,
        String sha256,
        int tables,
        long rows,
        Instant finishedAt,
        String error,
        String evidenceKey,
        long durationMs,
        String schemaFingerprint,
        String dbVersion) {

    public enum Kind {
        BACKUP,
        DRILL
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every field of this record: the lifecycle methods change a few. */
    public Builder toBuilder() {
        return builder()
                .kind(kind)
                .database(database)
                .startedAt(startedAt)
                .commandId(commandId)
                .key(key)
                .status(status)
                .bytes(bytes)
                .sha256(sha256)
                .tables(tables)
                .rows(rows)
                .finishedAt(finishedAt)
                .error(error)
                .evidenceKey(evidenceKey)
                .durationMs(durationMs)
                .schemaFingerprint(schemaFingerprint)
                .dbVersion(dbVersion);
    }

    /**
     * Every field by name (a store reading an item back); the lifecycle methods below cover the
     * usual cases.
     */
    public static final class Builder {
        private Kind kind;
        private String database;
        private Instant startedAt;
        private String commandId;
        private String key;
        private Status status = Status.RUNNING;
        private long bytes;
        private String sha256;
        private int tables;
        private long rows;
        private Instant finishedAt;
        private String error;
        private String evidenceKey;
        private long durationMs;
        private String schemaFingerprint;
        private String dbVersion;

        public Builder schemaFingerprint(String v) {
            this.schemaFingerprint = v;
            return this;
        }

        public Builder dbVersion(String v) {
            this.dbVersion = v;
            return this;
        }

        public Builder kind(Kind v) {
            this.kind = v;
            return this;
        }

        public Builder database(String v) {
            this.database = v;
            return this;
        }

        public Builder startedAt(Instant v) {
            this.startedAt = v;
            return this;
        }

        public Builder commandId(String v) {
            this.commandId = v;
            return this;
        }

        public Builder key(String v) {
            this.key = v;
            return this;
        }

        public Builder status(Status v) {
            this.status = v;
            return this;
        }

        public Builder bytes(long v) {
            this.bytes = v;
            return this;
        }

        public Builder sha256(String v) {
            this.sha256 = v;
            return this;
        }

        public Builder tables(int v) {
            this.tables = v;
            return this;
        }

        public Builder rows(long v) {
            this.rows = v;
            return this;
        }

        public Builder finishedAt(Instant v) {
            this.finishedAt = v;
            return this;
        }

        public Builder error(String v) {
            this.error = v;
            return this;
        }

        public Builder evidenceKey(String v) {
            this.evidenceKey = v;
            return this;
        }

        public Builder durationMs(long v) {
            this.durationMs = v;
            return this;
        }

        public BackupRecord build() {
            return new BackupRecord(
                    kind,
                    database,
                    startedAt,
                    commandId,
                    key,
                    status,
                    bytes,
                    sha256,
                    tables,
                    rows,
                    finishedAt,
                    error,
                    evidenceKey,
                    durationMs,
                    schemaFingerprint,
                    dbVersion);
        }
    }

    /** The fields a person reads in a function's result and log line. */
    public java.util.Map<String, Object> details() {
        java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("kind", kind.name());
        d.put("key", key);
        d.put("status", status.name());
        d.put("bytes", bytes);
        d.put("sha256", sha256);
        d.put("tables", tables);
        d.put("rows", rows);
        d.put("error", error);
        if (schemaFingerprint != null) {
            d.put("schemaFingerprint", schemaFingerprint);
            d.put("dbVersion", dbVersion);
        }
        return d;
    }

    public enum Status {
        RUNNING,
        VERIFIED,
        PASSED,
        FAILED;

        public boolean terminal() {
            return this != RUNNING;
        }
    }

    public static BackupRecord running(
            Kind kind,
            String database,
            Instant startedAt,
            String commandId,
            String key,
            String evidenceKey) {
        return new BackupRecord(
                kind,
                database,
                startedAt,
                commandId,
                key,
                Status.RUNNING,
                0,
                null,
                0,
                0,
                null,
                null,
                evidenceKey,
                0,
                null,
                null);
    }

    /**
     * @param durationMs how long the host took (dump and upload), from the manifest
     */
    public BackupRecord verified(
            long bytes, String sha256, int tables, long rows, long durationMs, Instant at) {
        return finished(Status.VERIFIED, tables, rows, durationMs, at)
                .bytes(bytes)
                .sha256(sha256)
                .build();
    }

    /**
     * @param durationMs how long the drill's restore and comparison took, from its evidence
     */
    public BackupRecord passed(int tables, long rows, long durationMs, Instant at) {
        return finished(Status.PASSED, tables, rows, durationMs, at).build();
    }

    /** This record, ended {@code status} at {@code at} with what its manifest or evidence says. */
    private Builder finished(Status status, int tables, long rows, long durationMs, Instant at) {
        return toBuilder()
                .status(status)
                .tables(tables)
                .rows(rows)
                .finishedAt(at)
                .error(null)
                .durationMs(durationMs);
    }

    /**
     * The schema's fingerprint the dump recorded (null: none printed, e.g. a dump from before
     * fingerprints).
     */
    public java.util.Optional<SchemaFingerprint> schema() {
        return schemaFingerprint == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(
                        new SchemaFingerprint(
                                schemaFingerprint, dbVersion == null ? "" : dbVersion, -1));
    }

    /** This record with the schema fingerprint its dump printed (null: none). */
    public BackupRecord withSchema(SchemaFingerprint schema) {
        return toBuilder()
                .schemaFingerprint(schema == null ? null : schema.fingerprint())
                .dbVersion(schema == null ? null : schema.dbVersion())
                .build();
    }

    public BackupRecord failed(String reason, Instant at) {
        return toBuilder().status(Status.FAILED).finishedAt(at).error(reason).build();
    }
}
