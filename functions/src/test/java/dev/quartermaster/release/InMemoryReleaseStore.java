package dev.quartermaster.release;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The in-memory twin of {@link DynamoDbReleaseStore}; the same contract test runs on both. */
public final class InMemoryReleaseStore implements ReleaseStore {
    private final Map<String, ReleaseRecord> byCommand = new LinkedHashMap<>();

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
}
