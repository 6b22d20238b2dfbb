package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.contract.UpkeepMachine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * A stand-in for Step Functions, for {@code bin/qm} and the tests: it interprets the upkeep state
 * machine's definition ({@link UpkeepMachine}) one state at a time, in order, in this process. The
 * engine in AWS is Step Functions; this one exists so a local run goes through exactly the batches
 * the Distributed Map would hand out: it reads the items file the ItemReader names, batches them as
 * the ItemBatcher says (MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput), builds each child's
 * payload from the ItemProcessor's Parameters, writes the ResultWriter's files in Step Functions'
 * format and applies ToleratedFailurePercentage. Only what the upkeep definitions use is supported:
 * Task (lambda:invoke), Choice (StringEquals), Fail, Map (DISTRIBUTED, ItemReader s3:getObject
 * JSON, ItemSelector, ResultWriter s3:putObject), and reference paths ({@code $}, {@code $.a.b},
 * {@code $.a[0].b}, {@code $$.Execution.Name}, {@code $$.Execution.StartTime}, {@code
 * $$.Map.Item.Value}). Batches run one after another (MaxConcurrency is AWS's business), and a
 * failed batch is retried as its Retry says for {@code States.ALL}.
 */
public final class UpkeepEngine {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A path's step with an array index ({@code Items[0]}). */
    private static final java.util.regex.Pattern INDEXED =
            java.util.regex.Pattern.compile("([^\\[]+)\\[([0-9]{1,6})\\]");

    /** What the engine tells its caller as a run goes (bin/qm prints it, the bench times it). */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void state(String name) {}

        /** A batch ended: its map, its position, its time, and its answer (null when it failed). */
        default void batch(String map, int index, int total, Duration took, JsonNode output) {}
    }

    /**
     * The run stopped in a Fail state or on an error no retrier took (as a failed execution in
     * AWS).
     */
    public static final class Failed extends RuntimeException {
        private final String error;

        public Failed(String error, String cause) {
            super(error + ": " + cause);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    private final JsonNode definition;
    private final String stateMachine;
    private final Function<JsonNode, JsonNode> lambda;
    private final RunFiles files;
    private final Listener listener;

    /**
     * @param lambda what {@code arn:aws:states:::lambda:invoke} calls: the function, given the
     *     payload, answering its result
     */
    public UpkeepEngine(
            JsonNode definition,
            String stateMachine,
            Function<JsonNode, JsonNode> lambda,
            RunFiles files,
            Listener listener) {
        this.definition = definition;
        this.stateMachine = stateMachine;
        this.lambda = lambda;
        this.files = files;
        this.listener = listener;
    }

    /** Runs an execution to its end: its output, or {@link Failed}. */
    public JsonNode run(JsonNode input, String executionName, Instant started) {
        ObjectNode context = NODES.objectNode();
        ObjectNode execution = context.putObject("Execution");
        execution.put("Name", executionName);
        execution.put("StartTime", started.toString());
        context.putObject("StateMachine").put("Name", stateMachine);
        return runStates(definition, input, context);
    }

    private JsonNode runStates(JsonNode machine, JsonNode input, JsonNode context) {
        String name = machine.path("StartAt").asText();
        JsonNode data = input;
        for (int steps = 0; steps < 1000; steps++) {
            JsonNode state = machine.path("States").path(name);
            if (state.isMissingNode()) {
                throw new Failed("States.Runtime", "no state " + name);
            }
            listener.state(name);
            String type = state.path("Type").asText();
            String next;
            switch (type) {
                case "Task" -> {
                    data = task(state, data, context);
                    next = state.path("Next").asText(null);
                }
                case "Map" -> {
                    data = map(state, data, context);
                    next = state.path("Next").asText(null);
                }
                case "Choice" -> next = choose(state, data);
                case "Fail" ->
                        throw new Failed(
                                state.path("Error").asText("States.Fail"),
                                state.has("CausePath")
                                        ? path(state.get("CausePath").asText(), data, context)
                                                .asText("")
                                        : state.path("Cause").asText(""));
                case "Succeed" -> {
                    return data;
                }
                default ->
                        throw new Failed(
                                "States.Runtime",
                                "the local engine does not run " + type + " states");
            }
            if (state.path("End").asBoolean(false) || next == null) {
                return data;
            }
            name = next;
        }
        throw new Failed("States.Runtime", "more than 1000 transitions");
    }

    private JsonNode task(JsonNode state, JsonNode input, JsonNode context) {
        if (!UpkeepMachine.LAMBDA_INVOKE.equals(state.path("Resource").asText())) {
            throw new Failed(
                    "States.Runtime",
                    "the local engine invokes only " + UpkeepMachine.LAMBDA_INVOKE);
        }
        JsonNode parameters = template(state.path("Parameters"), input, context);
        int attempts = 1;
        for (JsonNode retrier : state.path("Retry")) {
            for (JsonNode e : retrier.path("ErrorEquals")) {
                if (e.asText().equals("States.ALL")) {
                    attempts += retrier.path("MaxAttempts").asInt(3);
                }
            }
        }
        JsonNode answer = null;
        for (int attempt = 1; answer == null; attempt++) {
            try {
                answer = lambda.apply(parameters.path("Payload"));
            } catch (RuntimeException e) {
                if (attempt >= attempts) {
                    throw new Failed(e.getClass().getName(), String.valueOf(e.getMessage()));
                }
            }
        }
        ObjectNode result = NODES.objectNode();
        result.set("Payload", answer);
        result.put("StatusCode", 200);
        return output(state, input, context, result);
    }

    /**
     * ResultSelector, ResultPath and OutputPath, in that order (JSONPath's input and output
     * processing).
     */
    private JsonNode output(JsonNode state, JsonNode input, JsonNode context, JsonNode result) {
        JsonNode selected =
                state.has("ResultSelector")
                        ? template(state.get("ResultSelector"), result, context)
                        : result;
        JsonNode merged;
        JsonNode resultPath = state.get("ResultPath");
        if (resultPath == null || resultPath.asText().equals("$")) {
            merged = selected;
        } else if (resultPath.isNull()) {
            merged = input;
        } else {
            merged = input.deepCopy();
            ObjectNode at = (ObjectNode) merged;
            String[] parts = resultPath.asText().substring(2).split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                at = at.has(parts[i]) ? (ObjectNode) at.get(parts[i]) : at.putObject(parts[i]);
            }
            at.set(parts[parts.length - 1], selected);
        }
        return state.has("OutputPath")
                ? path(state.get("OutputPath").asText(), merged, context)
                : merged;
    }

    private String choose(JsonNode state, JsonNode data) {
        for (JsonNode c : state.path("Choices")) {
            JsonNode v = path(c.path("Variable").asText(), data, NODES.objectNode(), true);
            if (c.has("StringEquals")
                    && v != null
                    && v.isTextual()
                    && v.asText().equals(c.get("StringEquals").asText())) {
                return c.path("Next").asText();
            }
        }
        if (!state.has("Default")) {
            throw new Failed("States.NoChoiceMatched", "no choice matched");
        }
        return state.get("Default").asText();
    }

    private JsonNode map(JsonNode state, JsonNode input, JsonNode context) {
        String label = state.path("Label").asText("Map");
        JsonNode reader = template(state.path("ItemReader").path("Parameters"), input, context);
        if (!UpkeepMachine.S3_GET_OBJECT.equals(state.path("ItemReader").path("Resource").asText())
                || !"JSON"
                        .equals(
                                state.path("ItemReader")
                                        .path("ReaderConfig")
                                        .path("InputType")
                                        .asText())) {
            throw new Failed(
                    "States.Runtime", "the local engine reads items only from a JSON file in S3");
        }
        bucket(reader.path("Bucket").asText());
        JsonNode items;
        try (InputStream in = files.open(RunFiles.checked(reader.path("Key").asText()))) {
            items = JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (items == null || !items.isArray()) {
            throw new Failed("States.ItemReaderFailed", "the items file is not a JSON array");
        }
        if (state.has("ItemSelector")) {
            // before the ItemBatcher, each item as the ItemSelector makes it: paths select from
            // the Map state's input, $$.Map.Item.Value/Index from the item
            ArrayNode selected = NODES.arrayNode();
            for (int i = 0; i < items.size(); i++) {
                ObjectNode itemContext = context.deepCopy();
                ObjectNode item = itemContext.putObject("Map").putObject("Item");
                item.put("Index", i);
                item.set("Value", items.get(i));
                selected.add(template(state.get("ItemSelector"), input, itemContext));
            }
            items = selected;
        }
        JsonNode batcher = state.path("ItemBatcher");
        int maxItems = batcher.path("MaxItemsPerBatch").asInt(Integer.MAX_VALUE);
        int maxBytes = batcher.path("MaxInputBytesPerBatch").asInt(256 * 1024);
        JsonNode batchInput =
                batcher.has("BatchInput")
                        ? template(batcher.get("BatchInput"), input, context)
                        : null;
        List<ArrayNode> batches = batches(items, maxItems, maxBytes);

        JsonNode processor = state.path("ItemProcessor");
        ArrayNode succeeded = NODES.arrayNode();
        ArrayNode failed = NODES.arrayNode();
        String mapRunId = UUID.randomUUID().toString();
        for (int i = 0; i < batches.size(); i++) {
            ObjectNode childInput = NODES.objectNode();
            if (batchInput != null) {
                childInput.set("BatchInput", batchInput);
            }
            childInput.set("Items", batches.get(i));
            String childName = UUID.randomUUID().toString();
            ObjectNode record = NODES.objectNode();
            record.put(
                    "ExecutionArn",
                    "arn:aws:states:local:000000000000:execution:"
                            + stateMachine
                            + "/"
                            + label
                            + ":"
                            + childName);
            record.put("Input", childInput.toString());
            record.putObject("InputDetails").put("Included", true);
            record.put("Name", childName);
            record.put("StartDate", Instant.now().toString());
            long t0 = System.nanoTime();
            try {
                JsonNode out = runStates(processor, childInput, context);
                record.put("Output", out.toString());
                record.putObject("OutputDetails").put("Included", true);
                record.put("Status", "SUCCEEDED");
                succeeded.add(record);
                listener.batch(
                        label,
                        i + 1,
                        batches.size(),
                        Duration.ofNanos(System.nanoTime() - t0),
                        out);
            } catch (Failed e) {
                record.put("Error", e.error());
                record.put("Cause", String.valueOf(e.getMessage()));
                record.put("Status", "FAILED");
                failed.add(record);
                listener.batch(
                        label,
                        i + 1,
                        batches.size(),
                        Duration.ofNanos(System.nanoTime() - t0),
                        null);
            }
            record.put("StopDate", Instant.now().toString());
        }
        int tolerated = state.path("ToleratedFailurePercentage").asInt(0);
        if (!batches.isEmpty() && failed.size() * 100.0 / batches.size() > tolerated) {
            throw new Failed(
                    "States.ExceedToleratedFailureThreshold",
                    failed.size() + " of " + batches.size() + " batches of " + label + " failed");
        }
        JsonNode writer = template(state.path("ResultWriter").path("Parameters"), input, context);
        bucket(writer.path("Bucket").asText());
        String dir = writer.path("Prefix").asText() + "/" + mapRunId + "/";
        ObjectNode manifest = NODES.objectNode();
        manifest.put("DestinationBucket", files.bucket());
        String mapRunArn =
                "arn:aws:states:local:000000000000:mapRun:"
                        + stateMachine
                        + "/"
                        + label
                        + ":"
                        + mapRunId;
        manifest.put("MapRunArn", mapRunArn);
        ObjectNode resultFiles = manifest.putObject("ResultFiles");
        resultFiles.set("FAILED", write(dir + "FAILED_0.json", failed));
        resultFiles.putArray("PENDING");
        resultFiles.set("SUCCEEDED", write(dir + "SUCCEEDED_0.json", succeeded));
        files.write(
                RunFiles.checked(dir + "manifest.json"),
                manifest.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode result = NODES.objectNode();
        result.put("MapRunArn", mapRunArn);
        ObjectNode details = result.putObject("ResultWriterDetails");
        details.put("Bucket", files.bucket());
        details.put("Key", dir + "manifest.json");
        return output(state, input, context, result);
    }

    /**
     * As the ItemBatcher: up to MaxItemsPerBatch items, fewer when the batch's JSON would pass
     * MaxInputBytesPerBatch.
     */
    static List<ArrayNode> batches(JsonNode items, int maxItems, int maxBytes) {
        List<ArrayNode> out = new ArrayList<>();
        ArrayNode batch = NODES.arrayNode();
        int bytes = 2;
        for (JsonNode item : items) {
            int size = item.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            if (batch.size() > 0 && (batch.size() >= maxItems || bytes + size > maxBytes)) {
                out.add(batch);
                batch = NODES.arrayNode();
                bytes = 2;
            }
            batch.add(item);
            bytes += size;
        }
        if (batch.size() > 0) {
            out.add(batch);
        }
        return out;
    }

    private ArrayNode write(String key, ArrayNode records) {
        ArrayNode listed = NODES.arrayNode();
        if (records.isEmpty()) {
            return listed;
        }
        byte[] bytes = records.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        files.write(RunFiles.checked(key), bytes);
        ObjectNode f = listed.addObject();
        f.put("Key", key);
        f.put("Size", bytes.length);
        return listed;
    }

    private void bucket(String bucket) {
        if (!bucket.equals(files.bucket())) {
            throw new Failed(
                    "States.Runtime",
                    "the definition names bucket '"
                            + bucket
                            + "', the local engine has "
                            + files.bucket());
        }
    }

    /**
     * A Parameters-style template: fields ending in {@code .$} take the value their path selects.
     */
    static JsonNode template(JsonNode template, JsonNode input, JsonNode context) {
        if (template.isObject()) {
            ObjectNode out = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = template.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getKey().endsWith(".$")) {
                    out.set(
                            f.getKey().substring(0, f.getKey().length() - 2),
                            path(f.getValue().asText(), input, context));
                } else {
                    out.set(f.getKey(), template(f.getValue(), input, context));
                }
            }
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = NODES.arrayNode();
            template.forEach(t -> out.add(template(t, input, context)));
            return out;
        }
        return template;
    }

    static JsonNode path(String path, JsonNode input, JsonNode context) {
        return path(path, input, context, false);
    }

    private static JsonNode path(
            String path, JsonNode input, JsonNode context, boolean missingIsNull) {
        JsonNode at;
        String rest;
        if (path.startsWith("$$")) {
            at = context;
            rest = path.substring(2);
        } else if (path.startsWith("$")) {
            at = input;
            rest = path.substring(1);
        } else {
            throw new Failed("States.Runtime", "'" + path + "' is not a reference path");
        }
        if (!rest.isEmpty()) {
            for (String part : rest.substring(1).split("\\.")) {
                java.util.regex.Matcher indexed = INDEXED.matcher(part);
                if (indexed.matches()) {
                    at = at == null ? null : at.get(indexed.group(1));
                    at = at == null ? null : at.get(Integer.parseInt(indexed.group(2)));
                } else {
                    at = at == null ? null : at.get(part);
                }
            }
        }
        if (at == null && !missingIsNull) {
            throw new Failed("States.Runtime", "the path '" + path + "' selects nothing");
        }
        return at;
    }
}
