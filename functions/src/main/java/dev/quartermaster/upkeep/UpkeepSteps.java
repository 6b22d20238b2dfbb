package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.common.Alert;
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

    /** The run a primer's batches name (a run's name, of no run). */
    static final String PRIMING_RUN = "20260101T000000Z-000000000000";

    /**
     * The job's batches as its maps would pass them, one per {@link UpkeepJob#primingItems item}:
     * what an upkeep function's primer hands it (through PrimingGuard; the plan, which lists the
     * whole estate, is not primed).
     */
    public static dev.quartermaster.common.Primer primer(
            UpkeepJob job, dev.quartermaster.events.EventOrigin origin) {
        return handle ->
                job.primingItems()
                        .forEach(
                                (label, item) ->
                                        handle.accept(
                                                primingBatch(job.upkeep(), label, item, origin)));
    }

    /**
     * A batch of map {@code label} holding {@code item} only, its entries as the ItemSelector makes
     * them.
     */
    static String primingBatch(
            Upkeep upkeep,
            String label,
            JsonNode item,
            dev.quartermaster.events.EventOrigin origin) {
        String account = origin.account() == null ? "" : origin.account();
        String region = origin.region() == null ? "" : origin.region();
        ObjectNode payload = JSON.createObjectNode();
        payload.put(Upkeep.FIELD_UPKEEP, upkeep.jobName());
        payload.put(Upkeep.FIELD_STEP, "batch");
        payload.put(Upkeep.FIELD_MAP, label);
        payload.put("account", account);
        payload.put("region", region);
        ArrayNode entries = payload.putArray(Upkeep.FIELD_ITEMS);
        for (JsonNode unit : Units.pack(List.of(new UpkeepJob.Item(item, 1)), upkeep.map(label))) {
            ObjectNode entry = entries.addObject();
            entry.put(Upkeep.FIELD_RUN, PRIMING_RUN);
            entry.put("account", account);
            entry.put("region", region);
            entry.set(Upkeep.FIELD_UNIT, unit);
        }
        return payload.toString();
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
        JsonNode entries = json.get(Upkeep.FIELD_ITEMS);
        if (entries == null || !entries.isArray() || entries.isEmpty()) {
            throw new MalformedEventException(
                    "a batch's Items must be the non-empty array the ItemBatcher passes");
        }
        // each entry is a unit as the map's ItemSelector wraps it: the run and the origin ride
        // along; all of one batch name the run and the origin the payload was checked against
        String account = json.path("account").asText("");
        String region = json.path("region").asText("");
        String named = null;
        ArrayNode units = JSON.createArrayNode();
        for (JsonNode entry : entries) {
            String r = text(entry, Upkeep.FIELD_RUN);
            if (named == null) {
                named = r;
            } else if (!named.equals(r)) {
                throw new MalformedEventException("the units of one batch name different runs");
            }
            if (!account.equals(entry.path("account").asText(""))
                    || !region.equals(entry.path("region").asText(""))) {
                throw new MalformedEventException(
                        "a unit's account and region differ from the batch's");
            }
            JsonNode unit = entry.get(Upkeep.FIELD_UNIT);
            if (unit == null || !unit.isObject()) {
                throw new MalformedEventException(
                        "an entry of a batch's Items must carry its unit (the ItemSelector's "
                                + Upkeep.FIELD_UNIT
                                + ")");
            }
            units.add(unit);
        }
        String run = run(named);
        List<JsonNode> items = Units.items(units);
        if (units.size() > spec.unitsPerBatch() || items.size() > spec.batchItems()) {
            throw new MalformedEventException(
                    "a batch of "
                            + label
                            + " holds at most "
                            + spec.unitsPerBatch()
                            + " units of "
                            + spec.unitItems()
                            + " items (the ItemBatcher's MaxItemsPerBatch), not "
                            + units.size());
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
        List<String> lost = new java.util.ArrayList<>();
        for (Upkeep.MapSpec spec : upkeep.maps()) {
            JsonNode batches = plan.path("maps").path(spec.label()).path("batches");
            int got = results.get(spec.label()).children();
            if (!batches.canConvertToInt() || batches.asInt() != got) {
                lost.add(
                        spec.label()
                                + " has "
                                + got
                                + " child result(s), the plan made "
                                + (batches.canConvertToInt() ? batches.asInt() : "no count of")
                                + " batch(es)");
            }
        }
        if (!lost.isEmpty()) {
            return refused(job, files, run, lost);
        }
        return job.fold(plan, results, new UpkeepJob.Context(run, files, deadline));
    }

    /**
     * Results that do not match the plan are folded into nothing: a batch whose result is missing
     * would read as work not needed (a prune would sweep what its marks reached). The refusal is
     * recorded in the run's folder ({@code fold-refused.json}), alerted, and answered as not
     * RECORDED, which fails the execution (the state machine's Folded choice).
     */
    private static Outcome refused(UpkeepJob job, RunFiles files, String run, List<String> lost) {
        Upkeep upkeep = job.upkeep();
        String message =
                upkeep.jobName()
                        + " run "
                        + run
                        + ": the map results do not match the plan ("
                        + String.join("; ", lost)
                        + "); nothing was folded";
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(Upkeep.FIELD_RUN, run);
        details.put("mismatch", lost);
        Outcome outcome = new Outcome(Outcome.Status.REJECTED, message, details);
        try {
            files.write(
                    upkeep.runFolder(run) + "fold-refused.json", JSON.writeValueAsBytes(outcome));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        job.alerts()
                .publish(
                        new Alert(
                                        "UPKEEP_FOLD_REFUSED",
                                        "UPKEEP "
                                                + upkeep.jobName()
                                                + ": results do not match the plan",
                                        message
                                                + ". The records of this run were not updated. Redrive the execution, or start a new run.",
                                        Map.of("subject", upkeep.jobName(), "run", run))
                                .withNext(
                                        "aws stepfunctions redrive-execution --execution-arn <the failed execution>"));
        return outcome;
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
