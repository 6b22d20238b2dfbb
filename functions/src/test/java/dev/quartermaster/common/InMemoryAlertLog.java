package dev.quartermaster.common;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The alert log's twin for unit tests: the same windows and the same conditions, in a map. */
public class InMemoryAlertLog implements AlertLog {
    private final Map<Key, Window> current = new HashMap<>();
    private final List<Window> history = new ArrayList<>();

    @Override
    public synchronized Optional<Window> count(Key key, Instant at, String subject) {
        Window w = current.get(key);
        if (w == null || !w.end().isAfter(at)) {
            return Optional.empty();
        }
        List<String> subjects = new ArrayList<>(w.subjects());
        if (key.flood()
                && subject != null
                && subjects.size() < FIRST_FEW
                && w.count() + 1 <= FIRST_FEW) {
            subjects.add(subject);
        }
        Window counted =
                new Window(
                        key,
                        w.firstAt(),
                        w.end(),
                        at,
                        w.count() + 1,
                        w.title(),
                        w.message(),
                        w.next(),
                        w.attributes(),
                        w.published(),
                        w.held(),
                        w.settled(),
                        w.claimedAt(),
                        subjects,
                        w.version());
        current.put(key, counted);
        return Optional.of(counted);
    }

    @Override
    public synchronized Optional<Window> current(Key key) {
        return Optional.ofNullable(current.get(key));
    }

    @Override
    public synchronized Optional<Window> open(Window fresh, Window replaced, Window closedAs) {
        Window now = current.get(fresh.key());
        if (replaced == null
                ? now != null
                : now == null
                        || now.version() != replaced.version()
                        || now.count() != replaced.count()) {
            return Optional.empty();
        }
        Window stored = version(fresh, replaced == null ? 0 : replaced.version() + 1);
        current.put(fresh.key(), stored);
        if (closedAs != null) {
            history.add(closedAs);
        }
        return Optional.of(stored);
    }

    @Override
    public synchronized Optional<Window> update(Window next) {
        Window now = current.get(next.key());
        if (now == null || now.version() != next.version()) {
            return Optional.empty();
        }
        Window stored =
                new Window(
                        now.key(),
                        now.firstAt(),
                        now.end(),
                        now.lastAt(),
                        now.count(),
                        now.title(),
                        now.message(),
                        now.next(),
                        now.attributes(),
                        next.published(),
                        next.held(),
                        next.settled(),
                        next.claimedAt(),
                        now.subjects(),
                        now.version() + 1);
        current.put(next.key(), stored);
        return Optional.of(stored);
    }

    @Override
    public synchronized List<Window> due(Instant now, int limit) {
        return current.values().stream()
                .filter(w -> !w.settled() && !AlertLog.dueAt(w).isAfter(now))
                .sorted(Comparator.comparing(AlertLog::dueAt))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized List<Window> since(Instant since, int limit) {
        List<Window> all = new ArrayList<>(history);
        current.values().stream().filter(w -> !w.key().flood()).forEach(all::add);
        return all.stream()
                .filter(w -> !w.lastAt().isBefore(since))
                .sorted(Comparator.comparing(Window::lastAt).reversed())
                .limit(limit)
                .toList();
    }

    private static Window version(Window w, long v) {
        return new Window(
                w.key(),
                w.firstAt(),
                w.end(),
                w.lastAt(),
                w.count(),
                w.title(),
                w.message(),
                w.next(),
                w.attributes(),
                w.published(),
                w.held(),
                w.settled(),
                w.claimedAt(),
                w.subjects(),
                v);
    }
}
