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
 * {@code archive-scrub}: weekly, re-hashes archived blobs and checks every archived image is
 * complete. The schedule starts the scrub's state machine, which calls this function to plan, for
 * each batch of its maps (Rehash, Check) and to fold ({@link ScrubJob}); given the schedule's event
 * itself, it runs the whole state machine here, batch after batch.
 */
public final class ArchiveScrubHandler extends EventFunction {
    private final ArchiveUpkeep upkeep;
    private final ScrubJob job;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ArchiveScrubHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ArchiveScrubHandler(Platform platform) {
        this(ArchiveRoot.upkeep(platform), ArchiveRoot.scrubPercent(platform.settings()));
        wiredTo(platform);
    }

    public ArchiveScrubHandler(ArchiveUpkeep upkeep, int percent) {
        this.upkeep = upkeep;
        this.job = new ScrubJob(upkeep, percent);
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
