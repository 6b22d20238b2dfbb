package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/**
 * {@code restore-drill}: restore the latest verified backup into a scratch database and compare row
 * counts.
 */
public final class RestoreDrillHandler extends EventFunction {
    private final BackupService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public RestoreDrillHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public RestoreDrillHandler(Platform platform) {
        this(BackupRoot.service(platform));
        wiredTo(platform);
    }

    public RestoreDrillHandler(BackupService service) {
        this.service = service;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): the schedule's event: the
     * newest verified backup read, the drill's command answered by the guard, never sent.
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
        return service.drill(event.id(), event.time())
                .map(
                        r ->
                                Outcome.recorded(
                                        "restore drill of "
                                                + r.key()
                                                + " started: command "
                                                + r.commandId(),
                                        Map.of(
                                                "commandId",
                                                r.commandId(),
                                                "key",
                                                r.key(),
                                                "status",
                                                r.status().name())))
                .orElseGet(
                        () ->
                                Outcome.ignored(
                                        "no drill started (already started for this event, or no verified backup: alerted)"));
    }
}
