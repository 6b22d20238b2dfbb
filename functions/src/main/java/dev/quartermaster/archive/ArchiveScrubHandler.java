package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code archive-scrub}: weekly, re-hashes archived blobs and checks every archived image is complete. */
public final class ArchiveScrubHandler extends EventFunction {
    private final ArchiveUpkeep upkeep;
    private final int percent;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ArchiveScrubHandler() {
        this(Platform.fromEnvironment());
    }

    /** The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests' (app/Handlers builds every function so). */
    public ArchiveScrubHandler(Platform platform) {
        this(ArchiveRoot.upkeep(platform), ArchiveRoot.scrubPercent(platform.settings()));
        acceptingOnly(platform.origin());
    }

    public ArchiveScrubHandler(ArchiveUpkeep upkeep, int percent) {
        this.upkeep = upkeep;
        this.percent = percent;
    }

    @Override
    protected Outcome handle(JsonNode json) {
        ScheduledEvent.parse(json);
        var r = upkeep.scrub(percent, Instant.now().plus(timeLeft()).minus(Duration.ofSeconds(60)), new SecureRandom());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("blobs", r.blobs());
        details.put("checked", r.checked());
        details.put("bytesChecked", r.bytesChecked());
        details.put("corrupt", r.corrupt());
        details.put("incomplete", r.incomplete());
        dev.quartermaster.common.QmMetrics.add(dev.quartermaster.contract.Metric.ARCHIVE_INCOMPLETE, r.incomplete().size() + r.corrupt().size());
        details.put("finished", r.finished());
        return Outcome.recorded("scrub: " + r.checked() + " blob(s) re-hashed, " + r.corrupt().size() + " corrupt, "
                + r.incomplete().size() + " incomplete image(s)", details);
    }
}
