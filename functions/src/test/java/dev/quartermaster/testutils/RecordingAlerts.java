package dev.quartermaster.testutils;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every alert published, in order. */
public final class RecordingAlerts implements Alerts {
    private final List<Alert> published = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failNext;

    @Override
    public void publish(Alert alert) {
        RuntimeException f = failNext;
        if (f != null) {
            failNext = null;
            throw f;
        }
        published.add(alert);
    }

    /** The next publish throws, as SNS would when it is unreachable. */
    public void failNextWith(RuntimeException e) {
        failNext = e;
    }

    public List<Alert> published() {
        return List.copyOf(published);
    }

    public List<String> kinds() {
        return published.stream().map(Alert::kind).toList();
    }
}
