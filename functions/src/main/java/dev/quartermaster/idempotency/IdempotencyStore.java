package dev.quartermaster.idempotency;

import java.time.Duration;

/**
 * Exactly-once work under at-least-once (and sometimes concurrent) delivery, the pattern of
 * Powertools' idempotency utility (whose v2 is not available here): take a conditional IN_PROGRESS
 * record before acting, act, then COMPLETE it with a short result that later deliveries get back. A
 * holder that dies leaves a lock that expires, so a retry can take the work over; a holder that
 * fails cleanly releases it at once.
 */
public interface IdempotencyStore {

    /** What {@link #begin} found. */
    enum State {
        ACQUIRED,
        IN_PROGRESS,
        COMPLETED
    }

    /**
     * {@code result} is what {@link #complete} stored, for COMPLETED; {@code failures} counts the
     * earlier holders that gave the work up ({@link #release}), so the last retry can record an
     * outcome instead of failing into a dead-letter queue.
     */
    record Claim(State state, String result, int failures) {
        public static Claim acquired(int failures) {
            return new Claim(State.ACQUIRED, null, failures);
        }
    }

    /**
     * Takes the work {@code key} for {@code lockFor}, unless someone holds a live lock on it or it
     * is done.
     */
    Claim begin(String key, Duration lockFor);

    /** Marks the work done, with a short result kept until the record expires. */
    void complete(String key, String result);

    /**
     * Gives the work up after a failure, so that a retry may take it at once; counts the failure.
     */
    void release(String key);
}
