package dev.quartermaster.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.contract.Metric;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.EcrReplicationAction;
import dev.quartermaster.events.EventOrigin;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.ScheduledEvent;
import dev.quartermaster.events.Validation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code image-replication}: a successful push records one PENDING replica per destination; ECR's
 * replication event from a destination (forwarded to this region's bus) settles it; the schedule
 * sweeps the late ones. Each write is conditional on the replica's state, so a redelivered event
 * changes nothing and alerts nothing.
 */
public final class ReplicationHandler extends EventFunction {
    private final ReplicationService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ReplicationHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ReplicationHandler(Platform platform) {
        this(ReplicationRoot.service(platform));
        wiredTo(platform);
    }

    public ReplicationHandler(ReplicationService service) {
        this.service = service;
    }

    /**
     * ECR emits the replication event in each destination's registry: those accounts and regions
     * are accepted too.
     */
    @Override
    protected EventOrigin widen(EventOrigin own) {
        return own.alsoFrom(
                service.destinations().stream().map(d -> d.account() + "/" + d.region()).toList());
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): a push and a replica's
     * arrival of a digest nothing has.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("image-action-push.json"));
            handle.accept(primingEvent("replication-success.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        String detailType = json.path("detail-type").asText("");
        return switch (detailType) {
            case EcrImageAction.DETAIL_TYPE -> pushed(json);
            case EcrReplicationAction.DETAIL_TYPE -> arrived(json);
            case ScheduledEvent.DETAIL_TYPE -> sweep(json);
            default ->
                    throw new MalformedEventException(
                            "detail-type '"
                                    + Validation.abbreviate(detailType)
                                    + "' is not one image-replication handles (ECR Image Action, ECR Replication Action, Scheduled Event)");
        };
    }

    private Outcome pushed(JsonNode json) {
        AwsEvent<EcrImageAction> e =
                EventParser.parse(
                        json,
                        EcrImageAction.class,
                        EcrImageAction.SOURCE,
                        Set.of(EcrImageAction.DETAIL_TYPE));
        EcrImageAction d = e.detail();
        if (!"PUSH".equals(d.actionType()) || !"SUCCESS".equals(d.result())) {
            return Outcome.ignored("only successful pushes are replicated");
        }
        String repo = Validation.repository(d.repositoryName());
        String digest = Validation.digest(d.imageDigest());
        ReplicationService.Result r = service.pushed(repo, digest, e.time());
        QmMetrics.add(Metric.REPLICA_PENDING, r.changed());
        return r.changed() == 0
                ? Outcome.duplicate(repo + "@" + digest.substring(7, 19) + ": " + r.summary())
                : Outcome.recorded(
                        repo
                                + "@"
                                + digest.substring(7, 19)
                                + " awaited in "
                                + r.changed()
                                + " destination(s)",
                        details(repo, digest, r));
    }

    private Outcome arrived(JsonNode json) {
        AwsEvent<EcrReplicationAction> e =
                EventParser.parse(
                        json,
                        EcrReplicationAction.class,
                        EcrReplicationAction.SOURCE,
                        Set.of(EcrReplicationAction.DETAIL_TYPE));
        EcrReplicationAction d = e.detail();
        String repo = Validation.repository(d.repositoryName());
        String digest = Validation.digest(d.imageDigest());
        boolean success = d.succeeded();
        Destination destination =
                new Destination(
                        EcrReplicationAction.region(e.region(), "region"),
                        EcrReplicationAction.account(e.account(), "account"));
        ReplicationService.Result r = service.arrived(repo, digest, destination, success, e.time());
        if (r.changed() > 0) {
            QmMetrics.countFor(success ? Metric.REPLICA_REPLICATED : Metric.REPLICA_FAILED, repo);
        }
        String line =
                repo
                        + "@"
                        + digest.substring(7, 19)
                        + " in "
                        + destination.key()
                        + ": "
                        + r.summary();
        if (r.ignored()) {
            return Outcome.ignored(line);
        }
        return r.changed() == 0
                ? Outcome.duplicate(line + " (already recorded)")
                : Outcome.recorded(line, details(repo, digest, r));
    }

    private Outcome sweep(JsonNode json) {
        ScheduledEvent.parse(json);
        ReplicationService.Result r = service.sweep(timeLeft());
        QmMetrics.add(Metric.REPLICA_LATE, r.late());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("checked", r.lines().size());
        details.put("changed", r.changed());
        details.put("lines", r.lines());
        return Outcome.recorded("replication sweep: " + r.summary(), details);
    }

    private static Map<String, Object> details(
            String repo, String digest, ReplicationService.Result r) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", repo);
        details.put("digest", digest);
        details.put("destinations", r.lines());
        return details;
    }
}
