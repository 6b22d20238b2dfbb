package dev.quartermaster.idempotency;

import java.time.Duration;

/**
 * Exactly-once work under at-least-once (and sometimes concurrent) delivery, the pattern of
 * Powertools' idempotency utility (whose v2 is not available here): take a conditional IN_PROGRESS
 * record before acting, act, then COMPLETE it with a short result that later deliveries get back.
 * A holder that dies leaves a lock that expires, so a retry can take the work over; a holder that
 * fails cleanly releases it at once.
 */
public interface IdempotencyStore {

    /** What {@link #begin} found. */
    enum State { ACQUIRED, IN_PROGRESS, COMPLETED }

    /** {@code result} is what {@link #complete} stored, for COMPLETED. */
    record Claim(State state, String result) {
        public static Claim acquired() {
            return new Claim(State.ACQUIRED, null);
        }
    }

    /** Takes the work {@code key} for {@code lockFor}, unless someone holds a live lock on it or it is done. */
    Claim begin(String key, Duration lockFor);

    /** Marks the work done, with a short result kept until the record expires. */
    void complete(String key, String result);

    /** Gives the work up after a failure, so that a retry may take it at once. */
    void release(String key);
}
