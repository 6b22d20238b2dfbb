package dev.quartermaster.testutils;

import dev.quartermaster.backup.CommandRunner;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every command instead of sending it; returns SSM-shaped command ids. */
public final class RecordingCommands implements CommandRunner {
    public record Sent(String commandId, String document, Map<String, String> parameters, String tagKey, String tagValue) {
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public String send(String document, Map<String, String> parameters, String tagKey, String tagValue, String comment) {
        String id = UUID.randomUUID().toString();
        sent.add(new Sent(id, document, Map.copyOf(parameters), tagKey, tagValue));
        return id;
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }
}
