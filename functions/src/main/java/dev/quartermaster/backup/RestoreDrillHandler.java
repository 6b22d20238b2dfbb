package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Services;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/** {@code restore-drill}: restore the latest verified backup into a scratch database and compare row counts. */
public final class RestoreDrillHandler extends EventFunction {
    private final BackupService service;

    public RestoreDrillHandler() {
        this(Services.fromEnvironment());
    }

    public RestoreDrillHandler(Services services) {
        this.service = services.backupService();
    }

    @Override
    protected Outcome handle(JsonNode json) {
        var event = ScheduledEvent.parse(json);
        return service.drill(event.id(), event.time())
                .map(r -> Outcome.recorded("restore drill of " + r.key() + " started: command " + r.commandId(),
                        Map.of("commandId", r.commandId(), "key", r.key(), "status", r.status().name())))
                .orElseGet(() -> Outcome.ignored("no drill started (already started for this event, or no verified backup: alerted)"));
    }
}
