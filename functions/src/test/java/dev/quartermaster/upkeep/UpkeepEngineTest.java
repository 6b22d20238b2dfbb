package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local engine runs the upkeep definition as Step Functions would: the batches, the payloads,
 * the ResultWriter's files.
 */
class UpkeepEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode EVENT = event();

    @Test
    void run_batchesTheItemsAsTheItemBatcherSays_andTheFoldReadsEveryBatchFromTheResultFiles(
            @TempDir Path dir) {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        List<JsonNode> payloads = new ArrayList<>();
        // 20 units of the mark map (4 per batch): 5 batches
        int units = 20 * Upkeep.ARCHIVE_PRUNE.map("Mark").unitItems();
        JsonNode out =
                engine(
                                files,
                                payload -> {
                                    payloads.add(payload);
                                    return switch (payload.path("step").asText()) {
                                        case "plan" -> plan(files, payload, units);
                                        case "batch" ->
                                                outcome(
                                                        "RECORDED",
                                                        JSON.createObjectNode()
                                                                .put(
                                                                        "items",
                                                                        Units.items(units(payload))
                                                                                .size()));
                                        default -> fold(files, payload);
                                    };
                                },
                                0)
                        .run(EVENT, "exec-1", Instant.parse("2026-12-07T06:00:00Z"));

        List<JsonNode> batches =
                payloads.stream().filter(p -> p.path("step").asText().equals("batch")).toList();
        assertThat(batches).hasSize(5);
        assertThat(batches)
                .allSatisfy(
                        b -> {
                            assertThat(b.path("Items")).hasSize(4);
                            assertThat(b.path("upkeep").asText()).isEqualTo("archive-prune");
                            assertThat(b.path("map").asText()).isEqualTo("Mark");
                            assertThat(b.path("account").asText()).isEqualTo("000000000000");
                            assertThat(b.path("region").asText()).isEqualTo("us-east-1");
                            assertThat(b.path("Items"))
                                    .as("every unit carries the run and the origin")
                                    .allSatisfy(
                                            u -> {
                                                assertThat(u.path("run").asText())
                                                        .isEqualTo(
                                                                Upkeep.runName(
                                                                        "exec-1",
                                                                        Instant.parse(
                                                                                "2026-12-07T06:00:00Z")));
                                                assertThat(u.path("account").asText())
                                                        .isEqualTo("000000000000");
                                                assertThat(u.path("region").asText())
                                                        .isEqualTo("us-east-1");
                                                assertThat(u.path("unit").path("items").isArray())
                                                        .isTrue();
                                            });
                        });
        assertThat(out.path("status").asText()).isEqualTo("RECORDED");
        assertThat(out.path("details").path("items").asInt())
                .as("every batch's answer, read back from the result files")
                .isEqualTo(units);
    }

    @Test
    void run_failedBatches_withinTheTolerance_reachTheFoldAsFailed_beyondIt_failTheRun(
            @TempDir Path dir) {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        int units = 20 * Upkeep.ARCHIVE_PRUNE.map("Mark").unitItems();
        int[] calls = {0};
        java.util.function.Function<JsonNode, JsonNode> failingFirstBatch =
                payload ->
                        switch (payload.path("step").asText()) {
                            case "plan" -> plan(files, payload, units);
                            case "batch" -> {
                                if (calls[0]++
                                        < 2) { // the first batch fails, and so does its one retry
                                    throw new IllegalStateException("S3 said no");
                                }
                                yield outcome(
                                        "RECORDED",
                                        JSON.createObjectNode()
                                                .put("items", Units.items(units(payload)).size()));
                            }
                            default -> fold(files, payload);
                        };

        JsonNode out = engine(files, failingFirstBatch, 20).run(EVENT, "exec-2", Instant.now());
        assertThat(out.path("details").path("failed").asInt()).isEqualTo(1);
        assertThat(out.path("details").path("items").asInt())
                .isEqualTo(units - 4 * Upkeep.ARCHIVE_PRUNE.map("Mark").unitItems());

        calls[0] = 0;
        assertThatThrownBy(
                        () ->
                                engine(files, failingFirstBatch, 10)
                                        .run(EVENT, "exec-3", Instant.now()))
                .isInstanceOf(UpkeepEngine.Failed.class)
                .hasMessageContaining("States.ExceedToleratedFailureThreshold");
    }

    @Test
    void run_aPlanThatDidNotRecord_endsInTheFailState(@TempDir Path dir) {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        assertThatThrownBy(
                        () ->
                                engine(files, p -> outcome("REJECTED", JSON.createObjectNode()), 0)
                                        .run(EVENT, "exec-4", Instant.now()))
                .isInstanceOf(UpkeepEngine.Failed.class)
                .hasMessageContaining("Quartermaster.PlanRefused");
    }

    @Test
    void batches_stopShortOfMaxInputBytesPerBatch() {
        var items = JSON.createArrayNode();
        for (int i = 0; i < 10; i++) {
            items.add("x".repeat(100));
        }
        assertThat(UpkeepEngine.batches(items, 8, 350))
                .extracting(JsonNode::size)
                .containsExactly(3, 3, 3, 1);
    }

    /** The units of a batch's payload, as the ItemSelector wrapped them. */
    private static JsonNode units(JsonNode payload) {
        var units = JSON.createArrayNode();
        payload.path("Items").forEach(e -> units.add(e.path("unit")));
        return units;
    }

    private static UpkeepEngine engine(
            RunFiles files, java.util.function.Function<JsonNode, JsonNode> lambda, int tolerated) {
        return new UpkeepEngine(
                UpkeepMachine.definition(Upkeep.ARCHIVE_PRUNE, 1, tolerated),
                "test",
                lambda,
                files,
                UpkeepEngine.Listener.NONE);
    }

    /** What UpkeepSteps would answer for a plan of {@code count} entries, one per unit item. */
    private static JsonNode plan(RunFiles files, JsonNode payload, int count) {
        String run =
                Upkeep.runName(
                        payload.path("execution").asText(),
                        Instant.parse(payload.path("started").asText()));
        List<UpkeepJob.Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(new UpkeepJob.Item(JSON.getNodeFactory().numberNode(i), 0));
        }
        String key = Upkeep.ARCHIVE_PRUNE.itemsKey(run, "Mark");
        files.write(
                key,
                Units.pack(items, Upkeep.ARCHIVE_PRUNE.map("Mark"))
                        .toString()
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ObjectNode details = JSON.createObjectNode();
        details.put("bucket", files.bucket());
        details.put("run", run);
        ObjectNode mark = details.putObject("maps").putObject("Mark");
        mark.put("items", key);
        mark.put("results", Upkeep.ARCHIVE_PRUNE.resultsPrefix(run, "Mark"));
        return outcome("RECORDED", details);
    }

    private static JsonNode fold(RunFiles files, JsonNode payload) {
        String run = payload.path("plan").path("run").asText();
        MapResults r =
                MapResults.read(
                        payload.path("results").path("Mark"),
                        files,
                        Upkeep.ARCHIVE_PRUNE.resultsPrefix(run, "Mark") + "/");
        return outcome(
                "RECORDED",
                JSON.createObjectNode()
                        .put(
                                "items",
                                r.details().stream().mapToInt(d -> d.path("items").asInt()).sum())
                        .put("failed", r.failedBatches()));
    }

    private static JsonNode outcome(String status, JsonNode details) {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", status);
        o.put("message", status.toLowerCase());
        o.set("details", details);
        return o;
    }

    private static JsonNode event() {
        try {
            return JSON.readTree(
                    "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                            + "\"account\":\"000000000000\",\"time\":\"2026-12-07T06:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
