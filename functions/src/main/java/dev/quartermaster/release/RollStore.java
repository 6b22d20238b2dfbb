package dev.quartermaster.release;

import java.util.List;
import java.util.Optional;

/**
 * The release lock of an app and its rolls, step by step (DynamoDB: the ledger table; an in-memory
 * twin for unit tests). Every write is conditional: nothing here reads and then acts.
 */
public interface RollStore {
    /**
     * Takes the app's lock if it is free.
     *
     * @return empty when taken; otherwise the lock as it is held (nothing was written)
     */
    Optional<ReleaseLock> lock(ReleaseLock lock);

    /**
     * Replaces exactly {@code held} (same roll id and since) by {@code with}: breaking a stale
     * lock, or a resumed roll taking over its own.
     *
     * @return false when the lock is no longer {@code held} (released, or taken by someone else)
     */
    boolean replaceLock(ReleaseLock held, ReleaseLock with);

    Optional<ReleaseLock> currentLock(String app);

    /** Frees the app's lock if {@code rollId} still holds it; false otherwise. */
    boolean unlock(String app, String rollId);

    /** Records a new roll; false if its id is recorded already. */
    boolean createRoll(RollRecord roll);

    /** Replaces the roll's record (each step of the roll). */
    void saveRoll(RollRecord roll);

    Optional<RollRecord> roll(String app, String rollId);

    /** Newest first, at most {@code limit}. */
    List<RollRecord> rolls(String app, int limit);
}
