package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/** {@code backup-start}: the backup schedule fired; send the dump command to the tagged host. */
public final class BackupStartHandler extends EventFunction {
    private final BackupService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public BackupStartHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public BackupStartHandler(Platform platform) {
        this(BackupRoot.service(platform));
        wiredTo(platform);
    }

    public BackupStartHandler(BackupService service) {
        this.service = service;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): the schedule's event: the
     * claim, the command and the record answered by the guard, never sent.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("scheduled-backup.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        var event = ScheduledEvent.parse(json);
        return service.start(event.id(), event.time())
                .map(
                        r ->
                                Outcome.recorded(
                                        "backup of "
                                                + r.database()
                                                + (r.status() == BackupRecord.Status.FAILED
                                                        ? " not started: " + r.error()
                                                        : " started: command " + r.commandId()),
                                        Map.of(
                                                "commandId",
                                                r.commandId(),
                                                "key",
                                                r.key(),
                                                "database",
                                                r.database(),
                                                "status",
                                                r.status().name())))
                .orElseGet(
                        () ->
                                Outcome.duplicate(
                                        "schedule event "
                                                + event.id()
                                                + " already started a backup"));
    }
}
