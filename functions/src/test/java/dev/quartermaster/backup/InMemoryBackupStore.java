package dev.quartermaster.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory twin of {@link DynamoDbBackupStore}; {@link BackupStoreContract} runs on both. One
 * lock: every write is atomic.
 */
public final class InMemoryBackupStore implements BackupStore {
    private final Map<String, BackupRecord> byCommand = new LinkedHashMap<>();

    @Override
    public synchronized boolean create(BackupRecord record) {
        return byCommand.putIfAbsent(record.commandId(), record) == null;
    }

    @Override
    public synchronized Optional<BackupRecord> byCommandId(String commandId) {
        return Optional.ofNullable(byCommand.get(commandId));
    }

    @Override
    public synchronized boolean settle(BackupRecord outcome) {
        BackupRecord now = byCommand.get(outcome.commandId());
        if (now == null || now.status() != BackupRecord.Status.RUNNING) {
            return false;
        }
        byCommand.put(outcome.commandId(), outcome);
        return true;
    }

    @Override
    public synchronized List<BackupRecord> list(
            BackupRecord.Kind kind, String database, Instant since) {
        List<BackupRecord> out =
                new ArrayList<>(
                        byCommand.values().stream()
                                .filter(r -> r.kind() == kind && r.database().equals(database))
                                .filter(r -> since == null || !r.startedAt().isBefore(since))
                                .toList());
        out.sort(
                Comparator.comparing(BackupRecord::startedAt)
                        .thenComparing(BackupRecord::commandId)
                        .reversed());
        return out;
    }
}
