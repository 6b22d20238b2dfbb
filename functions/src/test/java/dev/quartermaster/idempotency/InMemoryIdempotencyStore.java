package dev.quartermaster.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory twin of {@link DynamoDbIdempotencyStore}, for unit tests and local runs. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private record Entry(State state, Instant lockedUntil, String result, int failures) {}

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
        entries.compute(
                key,
                (k, e) -> {
                    boolean free =
                            e == null
                                    || e.lockedUntil() == null
                                    || (e.state() == State.IN_PROGRESS
                                            && e.lockedUntil().isBefore(now));
                    if (free && (e == null || e.state() != State.COMPLETED)) {
                        int failures = e == null ? 0 : e.failures();
                        out[0] = Claim.acquired(failures);
                        return new Entry(State.IN_PROGRESS, now.plus(lockFor), null, failures);
                    }
                    out[0] =
                            new Claim(
                                    e.state() == State.COMPLETED
                                            ? State.COMPLETED
                                            : State.IN_PROGRESS,
                                    e.result(),
                                    e.failures());
                    return e;
                });
        return out[0];
    }

    @Override
    public void complete(String key, String result) {
        entries.compute(
                key,
                (k, e) ->
                        new Entry(
                                State.COMPLETED,
                                Instant.MAX,
                                result,
                                e == null ? 0 : e.failures()));
    }

    @Override
    public void release(String key) {
        // released: no lock, the failure counted
        entries.computeIfPresent(
                key,
                (k, e) ->
                        e.state() == State.IN_PROGRESS
                                ? new Entry(State.IN_PROGRESS, null, null, e.failures() + 1)
                                : e);
    }
}
