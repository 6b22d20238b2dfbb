package dev.quartermaster.release;

import java.time.Instant;

/**
 * The one release of an app that may run at a time: who holds it, since when, for which roll, and
 * until when it counts as held (past its deadline it may be broken with --force --reason).
 *
 * @param note how the lock was taken when it was not free (a broken stale lock, a resumed roll);
 *     null otherwise
 */
public record ReleaseLock(
        String app, String holder, Instant since, String rollId, Instant deadline, String note) {

    /** Past its deadline at {@code now}: a laptop that went away, not a release under way. */
    public boolean stale(Instant now) {
        return now.isAfter(deadline);
    }

    /** One line for an operator: who, since when, which roll, until when. */
    public String describe() {
        return holder + " since " + since + " (roll " + rollId + ", deadline " + deadline + ")";
    }
}
