package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.util.Map;

/** {@code backup-watchdog}: hourly, fails and alerts backups that were not verified in time. */
public final class BackupWatchdogHandler extends EventFunction {
    private final BackupService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public BackupWatchdogHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public BackupWatchdogHandler(Platform platform) {
        this(BackupRoot.service(platform));
        wiredTo(platform);
    }

    public BackupWatchdogHandler(BackupService service) {
        this.service = service;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): the schedule's event: what
     * is overdue read, any change answered by the guard.
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
        var timedOut = service.watchdog();
        // every hour, backup or not: "no backup" draws a line (and trips the age alarm) instead of
        // a gap
        dev.quartermaster.common.QmMetrics.add(
                dev.quartermaster.contract.Metric.BACKUP_AGE_HOURS,
                service.latestVerifiedAgeHours());
        return timedOut.isEmpty()
                ? Outcome.ignored("nothing overdue")
                : Outcome.recorded(
                        timedOut.size() + " overdue backup(s) failed",
                        Map.of(
                                "commands",
                                timedOut.stream().map(BackupRecord::commandId).toList()));
    }
}
