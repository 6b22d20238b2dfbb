package dev.quartermaster.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory twin of {@link DynamoDbIdempotencyStore}, for unit tests and local runs. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private record Entry(State state, Instant lockedUntil, String result) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryIdempotencyStore(Clock clock) {
        this.clock = clock;
    }

    public InMemoryIdempotencyStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Claim begin(String key, Duration lockFor) {
        Instant now = clock.instant();
        Claim[] out = new Claim[1];
        entries.compute(key, (k, e) -> {
            if (e == null || (e.state() == State.IN_PROGRESS && e.lockedUntil().isBefore(now))) {
                out[0] = Claim.acquired();
                return new Entry(State.IN_PROGRESS, now.plus(lockFor), null);
            }
            out[0] = new Claim(e.state() == State.COMPLETED ? State.COMPLETED : State.IN_PROGRESS, e.result());
            return e;
        });
        return out[0];
    }

    @Override
    public void complete(String key, String result) {
        entries.put(key, new Entry(State.COMPLETED, Instant.MAX, result));
    }

    @Override
    public void release(String key) {
        entries.computeIfPresent(key, (k, e) -> e.state() == State.IN_PROGRESS ? null : e);
    }
}
