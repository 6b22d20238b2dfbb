package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A function's side of an upkeep run: reads the payload the state machine sends ({@link
 * dev.quartermaster.contract.UpkeepMachine}), checks it, and runs the step of its {@link
 * UpkeepJob}: the plan (its items packed into units and written where the map's ItemReader reads
 * them), a batch, or the fold (the map's ResultWriter files read back).
 */
public final class UpkeepSteps {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UpkeepSteps() {}

    /** A payload of the upkeep state machine (as opposed to an EventBridge event). */
    public static boolean isStep(JsonNode json) {
        return json.has(Upkeep.FIELD_UPKEEP) && json.has(Upkeep.FIELD_STEP);
    }

    public static Outcome handle(JsonNode json, UpkeepJob job, RunFiles files, Instant deadline) {
        Upkeep upkeep = job.upkeep();
        String name = text(json, Upkeep.FIELD_UPKEEP);
        if (!upkeep.jobName().equals(name)) {
            throw new MalformedEventException(
                    "this function runs the upkeep '"
                            + upkeep.jobName()
                            + "', not '"
                            + Validation.abbreviate(name)
                            + "'");
        }
        String step = text(json, Upkeep.FIELD_STEP);
        return switch (step) {
            case "plan" -> plan(json, job, files, deadline);
            case "batch" -> batch(json, job, files, deadline);
            case "fold" -> fold(json, job, files, deadline);
            default ->
                    throw new MalformedEventException(
                            "step '"
                                    + Validation.abbreviate(step)
                                    + "' is not plan, batch or fold");
        };
    }

    private static Outcome plan(JsonNode json, UpkeepJob job, RunFiles files, Instant deadline) {
        Instant started;
        try {
            started = Instant.parse(text(json, "started"));
        } catch (DateTimeParseException e) {
            throw new MalformedEventException(
                    "started is not an ISO-8601 time: "
                            + Validation.abbreviate(json.path("started").asText()));
        }
        String execution = text(json, Upkeep.FIELD_EXECUTION);
        if (execution.length() > 256) {
            throw new MalformedEventException(
                    "an execution's name is at most 80 characters (256 for a map's child)");
        }
        String run = Upkeep.runName(execution, started);
        Upkeep upkeep = job.upkeep();
        UpkeepJob.Plan plan =
                job.plan(new UpkeepJob.Context(run, files, deadline, json.path("detail")));
        Map<String, Object> details = new LinkedHashMap<>(plan.details());
        details.put("bucket", files.bucket());
        details.put(Upkeep.FIELD_RUN, run);
        Map<String, Object> maps = new LinkedHashMap<>();
        for (Upkeep.MapSpec spec : upkeep.maps()) {
            List<UpkeepJob.Item> items = plan.items().getOrDefault(spec.label(), List.of());
            ArrayNode units = Units.pack(items, spec);
            String key = upkeep.itemsKey(run, spec.label());
            try {
                files.write(key, JSON.writeValueAsBytes(units));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("items", key);
            m.put("results", upkeep.resultsPrefix(run, spec.label()));
            m.put("count", items.size());
            m.put("units", units.size());
            m.put("batches", (units.size() + spec.unitsPerBatch() - 1) / spec.unitsPerBatch());
            m.put("bytes", items.stream().mapToLong(UpkeepJob.Item::bytes).sum());
            maps.put(spec.label(), m);
        }
        details.put("maps", maps);
        return Outcome.recorded(upkeep.jobName() + " plan " + run + ": " + plan.summary(), details);
    }

    private static Outcome batch(JsonNode json, UpkeepJob job, RunFiles files, Instant deadline) {
        Upkeep upkeep = job.upkeep();
        String label = text(json, Upkeep.FIELD_MAP);
        Upkeep.MapSpec spec;
        try {
            spec = upkeep.map(label);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(e.getMessage());
        }
        String run = run(text(json, Upkeep.FIELD_RUN));
        List<JsonNode> items = Units.items(json.get(Upkeep.FIELD_ITEMS));
        if (json.get(Upkeep.FIELD_ITEMS).size() > spec.unitsPerBatch()
                || items.size() > spec.batchItems()) {
            throw new MalformedEventException(
                    "a batch of "
                            + label
                            + " holds at most "
                            + spec.unitsPerBatch()
                            + " units of "
                            + spec.unitItems()
                            + " items (the ItemBatcher's MaxItemsPerBatch), not "
                            + json.get(Upkeep.FIELD_ITEMS).size());
        }
        return job.batch(spec.label(), items, new UpkeepJob.Context(run, files, deadline));
    }

    private static Outcome fold(JsonNode json, UpkeepJob job, RunFiles files, Instant deadline) {
        Upkeep upkeep = job.upkeep();
        JsonNode plan = json.path(Upkeep.FIELD_PLAN);
        if (!plan.isObject()) {
            throw new MalformedEventException("the fold needs the plan's answer (plan)");
        }
        String run = run(plan.path(Upkeep.FIELD_RUN).asText(""));
        Map<String, MapResults> results = new LinkedHashMap<>();
        for (Upkeep.MapSpec spec : upkeep.maps()) {
            JsonNode output = json.path(Upkeep.FIELD_RESULTS).path(spec.label());
            if (!output.isObject()) {
                throw new MalformedEventException(
                        "the fold needs the results of map "
                                + spec.label()
                                + " (results."
                                + spec.label()
                                + ")");
            }
            results.put(
                    spec.label(),
                    MapResults.read(output, files, upkeep.resultsPrefix(run, spec.label()) + "/"));
        }
        return job.fold(plan, results, new UpkeepJob.Context(run, files, deadline));
    }

    private static String run(String run) {
        if (!Upkeep.RUN.matcher(run).matches()) {
            throw new MalformedEventException(
                    "'" + Validation.abbreviate(run) + "' is not a run's name (the plan names it)");
        }
        return run;
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new MalformedEventException(
                    "an upkeep step needs the text field '" + field + "'");
        }
        return v.asText();
    }
}
