package dev.quartermaster.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Services;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.SsmCommandStatus;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code backup-status}: SSM says a dump or restore command ended; verify and record the result. */
public final class BackupStatusHandler extends EventFunction {
    private final BackupService service;
    private final Set<String> documents;

    public BackupStatusHandler() {
        this(Services.fromEnvironment());
    }

    public BackupStatusHandler(Services services) {
        this.service = services.backupService();
        BackupConfig c = BackupConfig.from(services.settings());
        this.documents = Set.of(c.dumpDocument(), c.drillDocument());
    }

    @Override
    protected Outcome handle(JsonNode json) {
        var event = EventParser.parse(json, SsmCommandStatus.class, SsmCommandStatus.SOURCE,
                Set.of(SsmCommandStatus.INVOCATION_DETAIL_TYPE, SsmCommandStatus.COMMAND_DETAIL_TYPE));
        SsmCommandStatus d = event.detail();
        if (d.commandId() == null || !d.commandId().matches("[0-9a-fA-F-]{36}|[A-Za-z0-9-]{1,64}")) {
            throw new MalformedEventException("detail has no valid command-id");
        }
        if (d.status() == null || d.status().isBlank()) {
            throw new MalformedEventException("detail has no status");
        }
        if (d.documentName() != null && !documents.contains(d.documentName())) {
            return Outcome.ignored("command " + d.commandId() + " ran document " + d.documentName() + ", not one of Quartermaster's");
        }
        var result = service.onStatus(d.commandId(), d.status());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("commandId", d.commandId());
        details.put("status", d.status());
        details.put("settled", result.settled().name());
        result.record().ifPresent(r -> {
            details.put("kind", r.kind().name());
            details.put("key", r.key());
            details.put("bytes", r.bytes());
            details.put("sha256", r.sha256());
            details.put("tables", r.tables());
            details.put("rows", r.rows());
            details.put("error", r.error());
        });
        return switch (result.settled()) {
            case UNKNOWN_COMMAND -> Outcome.ignored("command " + d.commandId() + " is not a Quartermaster backup or drill");
            case NOT_FINAL -> Outcome.ignored("command " + d.commandId() + " is " + d.status());
            case ALREADY_SETTLED -> Outcome.duplicate("command " + d.commandId() + " was already settled");
            default -> {
                MetricsFactory.getMetricsInstance().addMetric("Backup" + result.settled().name().charAt(0)
                        + result.settled().name().substring(1).toLowerCase(java.util.Locale.ROOT), 1, MetricUnit.COUNT);
                yield Outcome.recorded(result.record().get().kind() + " " + result.settled() + ": " + result.record().get().key(), details);
            }
        };
    }
}
