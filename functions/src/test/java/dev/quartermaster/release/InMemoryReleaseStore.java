package dev.quartermaster.release;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The in-memory twin of {@link DynamoDbReleaseStore}; the same contract test runs on both. */
public final class InMemoryReleaseStore implements ReleaseStore, RollStore {
    private final Map<String, ReleaseRecord> byCommand = new LinkedHashMap<>();
    private final Map<String, ReleaseLock> locks = new LinkedHashMap<>();
    private final Map<String, RollRecord> rolls = new LinkedHashMap<>();

    @Override
    public synchronized boolean create(ReleaseRecord record) {
        return byCommand.putIfAbsent(record.commandId(), record) == null;
    }

    @Override
    public synchronized Optional<ReleaseRecord> byCommandId(String commandId) {
        return Optional.ofNullable(byCommand.get(commandId));
    }

    @Override
    public synchronized boolean settle(ReleaseRecord outcome) {
        ReleaseRecord now = byCommand.get(outcome.commandId());
        if (now == null || now.status().terminal()) {
            return false;
        }
        byCommand.put(outcome.commandId(), outcome);
        return true;
    }

    @Override
    public synchronized List<ReleaseRecord> list(String app, String host) {
        List<ReleaseRecord> out =
                new ArrayList<>(
                        byCommand.values().stream()
                                .filter(r -> r.app().equals(app) && r.host().equals(host))
                                .toList());
        out.sort(
                Comparator.comparing(ReleaseRecord::requestedAt)
                        .thenComparing(ReleaseRecord::commandId)
                        .reversed());
        return out;
    }

    @Override
    public synchronized Optional<ReleaseLock> lock(ReleaseLock lock) {
        ReleaseLock held = locks.putIfAbsent(lock.app(), lock);
        return Optional.ofNullable(held);
    }

    @Override
    public synchronized boolean replaceLock(ReleaseLock held, ReleaseLock with) {
        ReleaseLock now = locks.get(held.app());
        if (now == null
                || !now.rollId().equals(held.rollId())
                || !now.since().equals(held.since())) {
            return false;
        }
        locks.put(with.app(), with);
        return true;
    }

    @Override
    public synchronized Optional<ReleaseLock> currentLock(String app) {
        return Optional.ofNullable(locks.get(app));
    }

    @Override
    public synchronized boolean unlock(String app, String rollId) {
        ReleaseLock now = locks.get(app);
        if (now == null || !now.rollId().equals(rollId)) {
            return false;
        }
        locks.remove(app);
        return true;
    }

    @Override
    public synchronized boolean createRoll(RollRecord roll) {
        return rolls.putIfAbsent(roll.app() + "#" + roll.rollId(), roll) == null;
    }

    @Override
    public synchronized void saveRoll(RollRecord roll) {
        rolls.put(roll.app() + "#" + roll.rollId(), roll);
    }

    @Override
    public synchronized Optional<RollRecord> roll(String app, String rollId) {
        return Optional.ofNullable(rolls.get(app + "#" + rollId));
    }

    @Override
    public synchronized List<RollRecord> rolls(String app, int limit) {
        return rolls.values().stream()
                .filter(r -> r.app().equals(app))
                .sorted(
                        Comparator.comparing(RollRecord::startedAt)
                                .thenComparing(RollRecord::rollId)
                                .reversed())
                .limit(limit)
                .toList();
    }
}
