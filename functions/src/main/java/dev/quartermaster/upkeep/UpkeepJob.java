package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.contract.Upkeep;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One upkeep job's three steps (see {@link Upkeep}). Implementations translate between the
 * payloads' JSON and the feature's domain (the archive's scrub, reconcile and mark); {@link
 * UpkeepSteps} does the rest (run names, keys, the items files, reading the results).
 */
public interface UpkeepJob {

    Upkeep upkeep();

    /** Where the run's alerts go (the fold's, and a refused fold's). */
    dev.quartermaster.common.Alerts alerts();

    /** An item of a map and the work it weighs (bytes; what packs it into a unit). */
    record Item(JsonNode json, long bytes) {}

    /**
     * What a plan found: per map label, its items in the order the batches should take them, and
     * what the fold needs to know of the plan (small: it rides in the execution's state).
     */
    record Plan(Map<String, List<Item>> items, Map<String, Object> details, String summary) {}

    /**
     * Where a step runs: the run, the files of the runs, when it must have answered, and the {@code
     * detail} of the event that started the run (the plan's only; empty for a schedule's).
     */
    record Context(String run, RunFiles files, Instant deadline, JsonNode detail) {
        public Context(String run, RunFiles files, Instant deadline) {
            this(run, files, deadline, com.fasterxml.jackson.databind.node.NullNode.getInstance());
        }
    }

    Plan plan(Context context);

    /**
     * One batch of {@code map}: the items of its units; the answer is the batch's result in the
     * ResultWriter's files.
     */
    Outcome batch(String map, List<JsonNode> items, Context context);

    /**
     * Turns the plan's details and every map's results into the run's records, metrics and alerts.
     */
    Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context);

    /**
     * For SnapStart's priming: per map, one item naming nothing that exists (a digest nothing has),
     * which its batch reads, finds missing and reports, writing nothing (see {@link
     * UpkeepSteps#primer}). None: the batches are not primed.
     */
    default Map<String, JsonNode> primingItems() {
        return Map.of();
    }
}
