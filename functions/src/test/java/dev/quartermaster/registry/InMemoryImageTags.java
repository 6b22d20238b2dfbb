package dev.quartermaster.registry;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ECR's tag semantics in memory: a tag names one digest; removing an image's last tag would delete
 * it, so that stays.
 */
public final class InMemoryImageTags implements ImageTags {
    private final Map<String, Map<String, Set<String>>> repos = new ConcurrentHashMap<>();
    private RuntimeException failure;

    /** An image pushed with these tags. */
    public InMemoryImageTags image(String repository, String digest, String... tags) {
        Set<String> t = repo(repository).computeIfAbsent(digest, d -> new TreeSet<>());
        t.addAll(Set.of(tags));
        return this;
    }

    /** Every later call fails with this (null: none fails). */
    public void failWith(RuntimeException e) {
        this.failure = e;
    }

    public Set<String> tagsOf(String repository, String digest) {
        return Set.copyOf(repo(repository).getOrDefault(digest, Set.of()));
    }

    private Map<String, Set<String>> repo(String repository) {
        return repos.computeIfAbsent(repository, r -> new ConcurrentHashMap<>());
    }

    private void check() {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized void add(String repository, String digest, String tag) {
        check();
        Set<String> t = repo(repository).get(digest);
        if (t == null) {
            throw new RegistryException("no image " + repository + "@" + digest);
        }
        repo(repository).values().forEach(other -> other.remove(tag)); // a tag names one digest
        t.add(tag);
    }

    @Override
    public synchronized Removal remove(String repository, String digest, String tag) {
        check();
        Set<String> t = repo(repository).get(digest);
        if (t == null || !t.contains(tag)) {
            return Removal.ABSENT;
        }
        if (t.size() == 1) {
            return Removal.ONLY_TAG;
        }
        t.remove(tag);
        return Removal.REMOVED;
    }

    @Override
    public synchronized Map<String, Set<String>> tagged(String repository, String prefix) {
        check();
        Map<String, Set<String>> out = new LinkedHashMap<>();
        repo(repository)
                .forEach(
                        (d, tags) -> {
                            Set<String> marks = new LinkedHashSet<>();
                            tags.stream().filter(x -> x.startsWith(prefix)).forEach(marks::add);
                            if (!marks.isEmpty()) {
                                out.put(d, marks);
                            }
                        });
        return out;
    }
}
