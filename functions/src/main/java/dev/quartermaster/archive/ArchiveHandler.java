package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.ScheduledEvent;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageActions;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.upkeep.UpkeepEngine;
import dev.quartermaster.upkeep.UpkeepRuns;
import dev.quartermaster.upkeep.UpkeepSteps;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image-archive}: every successful push copied into the archive, and the daily reconcile
 * that archives what the managed repositories hold and the archive lacks: the schedule starts the
 * reconcile's state machine, which calls this function to plan, for each batch of map Archive and
 * to fold ({@link ReconcileJob}).
 */
public final class ArchiveHandler extends EventFunction {
    /** Left for recording the outcome when time runs out mid-copy. */
    private static final Duration MARGIN = Duration.ofSeconds(30);

    private final ArchiveService service;
    private final ReconcileJob reconcile;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ArchiveHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ArchiveHandler(Platform platform) {
        this(platform, RegistryRoot.registry(platform));
        wiredTo(platform);
    }

    private ArchiveHandler(Platform platform, RegistryClient registry) {
        this(
                ArchiveRoot.service(platform, registry),
                ArchiveRoot.lister(platform, registry),
                ArchiveRoot.repositories(platform.settings()));
    }

    public ArchiveHandler(ArchiveService service, ImageLister lister, List<String> repositories) {
        this.service = service;
        this.reconcile = new ReconcileJob(service, lister, repositories);
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): a push of a digest nothing
     * has: the claim answered by the guard, the registry's "not found".
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        dev.quartermaster.common.Primer batches =
                dev.quartermaster.upkeep.UpkeepSteps.primer(reconcile, origin());
        return handle -> {
            handle.accept(primingEvent("image-action-push.json"));
            batches.prime(handle); // the reconcile's: one batch of its map
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        Instant deadline = Instant.now().plus(timeLeft()).minus(MARGIN);
        if (UpkeepSteps.isStep(
                json)) { // the reconcile's state machine: plan, a batch of map Archive, fold
            // (ReconcileJob)
            return UpkeepSteps.handle(json, reconcile, service.layout().runFiles(), deadline);
        }
        if (ScheduledEvent.SOURCE.equals(
                json.path("source").asText())) { // the schedule's event itself: the whole run here
            ScheduledEvent.parse(json);
            return UpkeepRuns.run(
                    reconcile,
                    service.layout().runFiles(),
                    json,
                    deadline,
                    0,
                    UpkeepEngine.Listener.NONE);
        }
        AwsEvent<EcrImageAction> event =
                EventParser.parse(
                        json,
                        EcrImageAction.class,
                        EcrImageAction.SOURCE,
                        Set.of(EcrImageAction.DETAIL_TYPE));
        ImageAction a = ImageActions.from(event);
        if (a.kind() != ImageAction.Kind.PUSH || !a.success()) {
            return Outcome.ignored("only successful pushes are archived");
        }
        var outcome =
                service.archivePush(a.eventId(), a.repository(), a.digest(), a.tag(), deadline);
        if (outcome.isEmpty()) {
            return Outcome.duplicate(
                    "event " + a.eventId() + " was already archived (or is being archived now)");
        }
        ArchiveService.Outcome o = outcome.get();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", o.repository());
        if (o.tag() != null) {
            details.put("tag", o.tag());
        }
        details.put("digest", o.digest());
        if (o.result() != null) {
            details.put("complete", o.result().complete());
            details.put("blobs", o.result().blobs());
            details.put("bytesStored", o.result().bytesStored());
            details.put("bytesDeduplicated", o.result().bytesDeduplicated());
            dev.quartermaster.common.QmMetrics.add(
                    dev.quartermaster.contract.Metric.ARCHIVE_BYTES_STORED,
                    o.result().bytesStored());
            dev.quartermaster.common.QmMetrics.add(
                    dev.quartermaster.contract.Metric.ARCHIVE_BYTES_DEDUPLICATED,
                    o.result().bytesDeduplicated());
        }
        if (o.failure() != null) {
            details.put("failure", o.failure());
            dev.quartermaster.common.QmMetrics.count(
                    dev.quartermaster.contract.Metric.ARCHIVE_FAILED);
        }
        return Outcome.recorded(
                o.repository()
                        + (o.tag() == null ? "@" + o.digest() : ":" + o.tag())
                        + (o.ok() ? " archived" : " NOT completely archived"),
                details);
    }
}
