package dev.quartermaster.contract.options;

/**
 * The upkeep state machines' Distributed Maps (the archive's reconcile, scrub and prune, the
 * replication backfill): child executions at once, and the share of batches that may fail before a
 * run fails (the fold reports the failed ones; a failed run is redriven).
 */
public record UpkeepOptions(int maxConcurrency, int toleratedFailurePercentage) {

    static UpkeepOptions read(OptionSource s, Problems problems) {
        return new UpkeepOptions(
                Options.UPKEEP_MAX_CONCURRENCY.read(s, problems),
                Options.UPKEEP_TOLERATED_FAILURE_PERCENTAGE.read(s, problems));
    }
}
