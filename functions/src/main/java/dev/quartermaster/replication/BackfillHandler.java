package dev.quartermaster.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;
import dev.quartermaster.upkeep.RunFiles;
import dev.quartermaster.upkeep.UpkeepEngine;
import dev.quartermaster.upkeep.UpkeepRuns;
import dev.quartermaster.upkeep.UpkeepSteps;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code replication-backfill}: the backfill's state machine calls it to plan, for each batch of
 * map Copy and to fold ({@link BackfillJob}); started by hand ({@code bin/qm replicate backfill
 * --aws}). Given a scheduled event itself, it runs the whole state machine here.
 */
public final class BackfillHandler extends EventFunction {
    private final BackfillJob job;
    private final RunFiles files;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public BackfillHandler() {
        this(Platform.fromEnvironment());
    }

    public BackfillHandler(Platform platform) {
        this(ReplicationRoot.backfill(platform), ReplicationRoot.runFiles(platform));
        wiredTo(platform);
    }

    public BackfillHandler(BackfillJob job, RunFiles files) {
        this.job = job;
        this.files = files;
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
            return UpkeepSteps.handle(json, job, files, deadline);
        }
        ScheduledEvent.parse(json);
        return UpkeepRuns.run(job, files, json, deadline, 0, UpkeepEngine.Listener.NONE);
    }
}
