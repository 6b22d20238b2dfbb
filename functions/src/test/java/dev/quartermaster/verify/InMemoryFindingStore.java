package dev.quartermaster.verify;

import dev.quartermaster.events.Inspector2Finding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The finding store's twin: newest updatedAt wins, as DynamoDB's conditional put. */
final class InMemoryFindingStore implements FindingStore {
    private final Map<String, Inspector2Finding> findings = new LinkedHashMap<>();

    private static String key(Inspector2Finding f) {
        return f.repository() + "@" + f.digest() + "#" + f.findingArn();
    }

    @Override
    public synchronized Recorded record(Inspector2Finding f) {
        Inspector2Finding old = findings.get(key(f));
        if (old != null && !old.updatedAt().isBefore(f.updatedAt())) {
            return new Recorded(false, Optional.empty());
        }
        findings.put(key(f), f);
        return new Recorded(true, Optional.ofNullable(old));
    }

    @Override
    public synchronized List<Inspector2Finding> findings(String repository, String digest) {
        return new ArrayList<>(
                findings.values().stream()
                        .filter(f -> f.repository().equals(repository) && f.digest().equals(digest))
                        .toList());
    }
}
