package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;
import dev.quartermaster.upkeep.UpkeepEngine;
import dev.quartermaster.upkeep.UpkeepRuns;
import dev.quartermaster.upkeep.UpkeepSteps;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code archive-prune}: weekly, forgets images deleted longer than the retention ago and sweeps
 * unreferenced blobs. The schedule starts the prune's state machine: this function plans, marks a
 * batch of entries at a time (map Mark) and sweeps in the fold ({@link PruneJob}); given the
 * schedule's event itself, it runs the whole state machine here.
 */
public final class ArchivePruneHandler extends EventFunction {
    private final ArchiveUpkeep upkeep;
    private final PruneJob job;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ArchivePruneHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ArchivePruneHandler(Platform platform) {
        this(
                ArchiveRoot.upkeep(platform),
                ArchiveRoot.retention(platform.settings()),
                ArchiveRoot.grace(platform.settings()));
        wiredTo(platform);
    }

    public ArchivePruneHandler(ArchiveUpkeep upkeep, Duration retention, Duration grace) {
        this.upkeep = upkeep;
        this.job = new PruneJob(upkeep, retention, grace);
    }

    /**
     * Priming (through PrimingGuard: only reads leave the process): one batch of each map, of an
     * item nothing has (the plan lists the whole estate: not primed).
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return dev.quartermaster.upkeep.UpkeepSteps.primer(job, origin());
    }

    @Override
    protected Outcome handle(JsonNode json) {
        Instant deadline = Instant.now().plus(timeLeft()).minus(Duration.ofSeconds(60));
        if (UpkeepSteps.isStep(json)) {
            return UpkeepSteps.handle(json, job, upkeep.layout().runFiles(), deadline);
        }
        ScheduledEvent.parse(json);
        return UpkeepRuns.run(
                job, upkeep.layout().runFiles(), json, deadline, 0, UpkeepEngine.Listener.NONE);
    }
}
