package dev.quartermaster.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code release-drift}: hourly, asks the host which digest runs (the check document);
 * release-status compares and alerts.
 */
public final class ReleaseDriftHandler extends EventFunction {
    private final ReleaseService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ReleaseDriftHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ReleaseDriftHandler(Platform platform) {
        this(ReleaseRoot.service(platform));
        wiredTo(platform);
    }

    public ReleaseDriftHandler(ReleaseService service) {
        this.service = service;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): the schedule's event: the
     * hosts read, the check commands answered by the guard, never sent.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("scheduled-backup.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        ScheduledEvent.parse(json);
        List<ReleaseRecord> sent = service.checkAll("schedule");
        Map<String, Object> details = new LinkedHashMap<>();
        sent.forEach(r -> details.put(r.host(), r.commandId()));
        details.put(
                "protection",
                ProtectionSweeps.run(service)); // hourly: grace periods end even without a release
        return Outcome.recorded("drift check sent to " + sent.size() + " host(s)", details);
    }
}
