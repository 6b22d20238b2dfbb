package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.ScheduledEvent;

import java.time.Duration;
import java.util.Map;

/** {@code archive-prune}: weekly, forgets images deleted longer than the retention ago and sweeps unreferenced blobs. */
public final class ArchivePruneHandler extends EventFunction {
    private final ArchiveUpkeep upkeep;
    private final Duration retention;
    private final Duration grace;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ArchivePruneHandler() {
        this(Platform.fromEnvironment());
    }

    /** The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests' (app/Handlers builds every function so). */
    public ArchivePruneHandler(Platform platform) {
        this(ArchiveRoot.upkeep(platform), ArchiveRoot.retention(platform.settings()), ArchiveRoot.grace(platform.settings()));
        acceptingOnly(platform.origin());
    }

    public ArchivePruneHandler(ArchiveUpkeep upkeep, Duration retention, Duration grace) {
        this.upkeep = upkeep;
        this.retention = retention;
        this.grace = grace;
    }

    @Override
    protected Outcome handle(JsonNode json) {
        ScheduledEvent.parse(json);
        var r = upkeep.prune(retention, grace);
        return Outcome.recorded("prune: " + r.entriesRemoved() + " index entr(ies) past retention removed, " + r.blobsDeleted()
                + " blob(s) deleted (" + r.bytesFreed() + " bytes)" + (r.stopped() == null ? "" : "; sweep stopped: " + r.stopped()), Map.of(
                "stopped", r.stopped() == null ? "" : r.stopped(), "entriesRemoved", r.entriesRemoved(),
                "blobsDeleted", r.blobsDeleted(), "bytesFreed", r.bytesFreed(), "blobsKept", r.blobsKept(),
                "youngUnreferenced", r.youngUnreferenced()));
    }
}
