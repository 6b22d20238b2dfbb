package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Services;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/** {@code backup-watchdog}: hourly, fails and alerts backups that were not verified in time. */
public final class BackupWatchdogHandler extends EventFunction {
    private final BackupService service;

    public BackupWatchdogHandler() {
        this(Services.fromEnvironment());
    }

    public BackupWatchdogHandler(Services services) {
        this.service = services.backupService();
    }

    @Override
    protected Outcome handle(JsonNode json) {
        ScheduledEvent.parse(json);
        var timedOut = service.watchdog();
        return timedOut.isEmpty() ? Outcome.ignored("nothing overdue")
                : Outcome.recorded(timedOut.size() + " overdue backup(s) failed", Map.of("commands",
                timedOut.stream().map(BackupRecord::commandId).toList()));
    }
}
