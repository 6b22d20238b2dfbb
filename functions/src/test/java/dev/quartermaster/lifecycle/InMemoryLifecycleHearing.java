package dev.quartermaster.lifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory twin of {@link DynamoDbLifecycleHearing}: the newest time per repository. */
public final class InMemoryLifecycleHearing implements LifecycleHearing {
    private final Map<String, Instant> heard = new ConcurrentHashMap<>();

    @Override
    public void heard(String repository, Instant at) {
        heard.merge(repository, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public Instant lastHeard(String repository) {
        return heard.get(repository);
    }
}
