package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Services;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/** {@code backup-start}: the backup schedule fired; send the dump command to the tagged host. */
public final class BackupStartHandler extends EventFunction {
    private final BackupService service;

    public BackupStartHandler() {
        this(Services.fromEnvironment());
    }

    public BackupStartHandler(Services services) {
        this.service = services.backupService();
    }

    @Override
    protected Outcome handle(JsonNode json) {
        var event = ScheduledEvent.parse(json);
        return service.start(event.id(), event.time())
                .map(r -> Outcome.recorded("backup of " + r.database() + (r.status() == BackupRecord.Status.FAILED
                                ? " not started: " + r.error() : " started: command " + r.commandId()),
                        Map.of("commandId", r.commandId(), "key", r.key(), "database", r.database(), "status", r.status().name())))
                .orElseGet(() -> Outcome.duplicate("schedule event " + event.id() + " already started a backup"));
    }
}
