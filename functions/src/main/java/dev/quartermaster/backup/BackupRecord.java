package dev.quartermaster.backup;

import java.time.Instant;

/**
 * One backup (kind BACKUP) or restore drill (kind DRILL) as the ledger keeps it.
 * Status: RUNNING, then VERIFIED or FAILED for a backup, PASSED or FAILED for a drill.
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
        long durationMs) {

    public enum Kind { BACKUP, DRILL }

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
        return d;
    }

    public enum Status {
        RUNNING, VERIFIED, PASSED, FAILED;

        public boolean terminal() {
            return this != RUNNING;
        }
    }

    public static BackupRecord running(Kind kind, String database, Instant startedAt, String commandId, String key, String evidenceKey) {
        return new BackupRecord(kind, database, startedAt, commandId, key, Status.RUNNING, 0, null, 0, 0, null, null, evidenceKey, 0);
    }

    /** @param durationMs how long the host took (dump and upload), from the manifest */
    public BackupRecord verified(long bytes, String sha256, int tables, long rows, long durationMs, Instant at) {
        return new BackupRecord(kind, database, startedAt, commandId, key, Status.VERIFIED, bytes, sha256, tables, rows, at, null,
                evidenceKey, durationMs);
    }

    /** @param durationMs how long the drill's restore and comparison took, from its evidence */
    public BackupRecord passed(int tables, long rows, long durationMs, Instant at) {
        return new BackupRecord(kind, database, startedAt, commandId, key, Status.PASSED, bytes, sha256, tables, rows, at, null,
                evidenceKey, durationMs);
    }

    public BackupRecord failed(String reason, Instant at) {
        return new BackupRecord(kind, database, startedAt, commandId, key, Status.FAILED, bytes, sha256, tables, rows, at, reason,
                evidenceKey, durationMs);
    }
}
