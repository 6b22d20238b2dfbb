package dev.quartermaster.testutils;

import dev.quartermaster.contract.Host;
import dev.quartermaster.host.CommandRunner;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every command instead of sending it; returns SSM-shaped command ids; output and targets
 * are set by the test.
 */
public final class RecordingCommands implements CommandRunner {
    public record Sent(
            String commandId, String document, Map<String, String> parameters, Host host) {
        public String tagKey() {
            return host.tagKey();
        }
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<String, String> outputs = new ConcurrentHashMap<>();
    private volatile int instancesWithTag = 1;

    @Override
    public String send(String document, Map<String, String> parameters, Host host, String comment) {
        if (instancesWithTag != 1) {
            throw new TargetException(
                    instancesWithTag
                            + " instances carry the tag "
                            + host.tagKey()
                            + "="
                            + host.tagValue()
                            + ": exactly one must");
        }
        String id = UUID.randomUUID().toString();
        sent.add(new Sent(id, document, Map.copyOf(parameters), host));
        return id;
    }

    @Override
    public Optional<String> output(String commandId) {
        return Optional.ofNullable(outputs.get(commandId));
    }

    /** What the command "printed". */
    public void output(String commandId, String stdout) {
        outputs.put(commandId, stdout);
    }

    /** How many instances the host tag resolves to (1 by default). */
    public void instancesWithTag(int n) {
        instancesWithTag = n;
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }
}
