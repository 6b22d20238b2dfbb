package dev.quartermaster.backup;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Backup and drill records (DynamoDB, the ledger table). */
public interface BackupStore {
    /** Records a new RUNNING entry; false if the command id is already recorded. */
    boolean create(BackupRecord record);

    Optional<BackupRecord> byCommandId(String commandId);

    /**
     * Replaces a RUNNING record with its outcome; false if it was no longer RUNNING (already
     * settled).
     */
    boolean settle(BackupRecord outcome);

    /** Newest first, optionally only those started at or after {@code since}. */
    List<BackupRecord> list(BackupRecord.Kind kind, String database, Instant since);

    default Optional<BackupRecord> latestVerified(String database) {
        return list(BackupRecord.Kind.BACKUP, database, null).stream()
                .filter(b -> b.status() == BackupRecord.Status.VERIFIED)
                .findFirst();
    }
}
