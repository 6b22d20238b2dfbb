package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.SsmCommandStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code backup-status}: SSM says a dump or restore command ended; verify and record the result.
 */
public final class BackupStatusHandler extends EventFunction {
    private final BackupService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public BackupStatusHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public BackupStatusHandler(Platform platform) {
        this(BackupRoot.service(platform));
        wiredTo(platform);
    }

    public BackupStatusHandler(BackupService service) {
        this.service = service;
    }

    /**
     * The status of a command nobody sent, for each of this function's documents and for another's:
     * a lookup that finds nothing, and the foreign document's early answer (both ignored, nothing
     * written).
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            for (String document :
                    new String[] {
                        service.config().dumpDocument(),
                        service.config().drillDocument(),
                        "AWS-RunShellScript"
                    }) {
                handle.accept(
                        dev.quartermaster.common.Priming.ssmStatus(origin(), document, "Success"));
            }
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        SsmCommandStatus d = SsmCommandStatus.parse(json);
        var result = service.onStatus(d.commandId(), d.status(), d.documentName());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("commandId", d.commandId());
        details.put("status", d.status());
        details.put("settled", result.settled().name());
        if (result.record() != null) {
            details.putAll(result.record().details());
        }
        details.put("status", d.status()); // the SSM status, not the record's
        return switch (result.settled()) {
            case FOREIGN_DOCUMENT ->
                    Outcome.ignored(
                            "command "
                                    + d.commandId()
                                    + " ran document "
                                    + d.documentName()
                                    + ", not one of Quartermaster's");
            case UNKNOWN_COMMAND ->
                    Outcome.ignored(
                            "command " + d.commandId() + " is not a Quartermaster backup or drill");
            case NOT_FINAL -> Outcome.ignored("command " + d.commandId() + " is " + d.status());
            case ALREADY_SETTLED ->
                    Outcome.duplicate("command " + d.commandId() + " was already settled");
            default -> {
                dev.quartermaster.common.QmMetrics.count(
                        "Backup"
                                + result.settled().name().charAt(0)
                                + result.settled()
                                        .name()
                                        .substring(1)
                                        .toLowerCase(java.util.Locale.ROOT));
                BackupRecord r = result.record();
                double seconds =
                        r.finishedAt() == null
                                ? -1
                                : java.time.Duration.between(r.startedAt(), r.finishedAt())
                                                .toMillis()
                                        / 1000.0;
                if (result.settled() == BackupService.Settled.VERIFIED) {
                    dev.quartermaster.common.QmMetrics.add(
                            dev.quartermaster.contract.Metric.BACKUP_BYTES, r.bytes());
                    if (seconds >= 0) {
                        dev.quartermaster.common.QmMetrics.add(
                                dev.quartermaster.contract.Metric.BACKUP_SECONDS, seconds);
                    }
                } else if (result.settled() == BackupService.Settled.PASSED && seconds >= 0) {
                    dev.quartermaster.common.QmMetrics.add(
                            dev.quartermaster.contract.Metric.DRILL_SECONDS, seconds);
                }
                yield Outcome.recorded(
                        result.record().kind()
                                + " "
                                + result.settled()
                                + ": "
                                + result.record().key(),
                        details);
            }
        };
    }
}
