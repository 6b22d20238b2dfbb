package dev.quartermaster.release;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.contract.Metric;
import dev.quartermaster.events.SsmCommandStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code release-status}: SSM's end of a release or drift-check command, recorded in the release
 * history; alerts on anything but RELEASED.
 */
public final class ReleaseStatusHandler extends EventFunction {
    private final ReleaseService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ReleaseStatusHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ReleaseStatusHandler(Platform platform) {
        this(ReleaseRoot.service(platform));
        wiredTo(platform);
    }

    public ReleaseStatusHandler(ReleaseService service) {
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
                        service.config().releaseDocument(),
                        service.config().checkDocument(),
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
        return switch (result.settled()) {
            case FOREIGN_DOCUMENT ->
                    Outcome.ignored(
                            "command "
                                    + d.commandId()
                                    + " ran "
                                    + d.documentName()
                                    + ", not a release document");
            case UNKNOWN_COMMAND ->
                    Outcome.ignored("command " + d.commandId() + " is not a recorded release");
            case NOT_FINAL -> Outcome.ignored("command " + d.commandId() + " is " + d.status());
            case ALREADY_SETTLED ->
                    Outcome.duplicate("release " + d.commandId() + " was already recorded");
            case SETTLED -> {
                ReleaseRecord r = result.record();
                QmMetrics.count("Release" + camel(r.status().name()));
                if (r.kind() != ReleaseRecord.Kind.CHECK
                        && r.finishedAt() != null
                        && r.requestedAt() != null) {
                    QmMetrics.add(
                            Metric.RELEASE_SECONDS,
                            java.time.Duration.between(r.requestedAt(), r.finishedAt()).toMillis()
                                    / 1000.0);
                }
                if (r.drifted()) {
                    QmMetrics.count(Metric.RELEASE_DRIFT);
                }
                Map<String, Object> details = new LinkedHashMap<>(r.details());
                if (r.kind()
                        != ReleaseRecord.Kind
                                .CHECK) { // what ran before may no longer need its mark
                    details.put("protection", ProtectionSweeps.run(service));
                }
                yield Outcome.recorded(
                        r.kind() + " " + r.status() + (r.reason() == null ? "" : ": " + r.reason()),
                        details);
            }
        };
    }

    private static String camel(String s) {
        StringBuilder b = new StringBuilder();
        for (String part : s.split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }
}
