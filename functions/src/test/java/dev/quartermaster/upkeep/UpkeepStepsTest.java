package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The function's side of a run, given what the definition makes of the plan's answer: each batch
 * reads its run from the units the ItemSelector wrapped, and the fold refuses results that do not
 * match the plan's batches.
 */
class UpkeepStepsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Upkeep JOB = Upkeep.ARCHIVE_PRUNE; // one map, Mark
    private static final int UNITS = 20; // 4 per batch: 5 batches

    /** Counts: the plan's items, a batch the items it got, the fold what the batches said. */
    static final class CountingJob implements UpkeepJob {
        final RecordingAlerts alerts = new RecordingAlerts();
        final List<String> runsBatched = new ArrayList<>();
        int folds;

        @Override
        public Upkeep upkeep() {
            return JOB;
        }

        @Override
        public Alerts alerts() {
            return alerts;
        }

        @Override
        public Plan plan(Context context) {
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < UNITS * JOB.map("Mark").unitItems(); i++) {
                items.add(new Item(JSON.getNodeFactory().numberNode(i), 1));
            }
            return new Plan(Map.of("Mark", items), Map.of(), items.size() + " items");
        }

        @Override
        public Outcome batch(String map, List<JsonNode> items, Context context) {
            runsBatched.add(context.run());
            return Outcome.recorded("counted", Map.of("items", items.size()));
        }

        @Override
        public Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context) {
            folds++;
            Map<String, Object> d = new LinkedHashMap<>();
            d.put(
                    "items",
                    results.get("Mark").details().stream()
                            .mapToInt(x -> x.path("items").asInt())
                            .sum());
            return Outcome.recorded("folded", d);
        }
    }

    @Test
    void aRun_throughTheDefinition_givesEveryBatchItsRun_andFoldsEveryBatch(@TempDir Path dir) {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        CountingJob job = new CountingJob();
        Instant started = Instant.parse("2026-12-07T06:00:00Z");

        JsonNode out = engine(job, files, Function.identity()).run(event(), "exec-1", started);

        assertThat(out.path("status").asText()).isEqualTo("RECORDED");
        assertThat(out.path("details").path("items").asInt())
                .isEqualTo(UNITS * JOB.map("Mark").unitItems());
        assertThat(job.runsBatched).hasSize(5).containsOnly(Upkeep.runName("exec-1", started));
        assertThat(job.alerts.published()).isEmpty();
    }

    @Test
    void aFold_whoseResultsLackABatch_refuses_recordsIt_alerts_andFailsTheRun(@TempDir Path dir)
            throws Exception {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        CountingJob job = new CountingJob();
        // the fold's payload arrives after the map wrote its files: one child's result is lost
        Function<JsonNode, JsonNode> losingOne =
                payload -> {
                    if (payload.path("step").asText().equals("fold")) {
                        dropOneResult(dir);
                    }
                    return payload;
                };

        assertThatThrownBy(
                        () -> engine(job, files, losingOne).run(event(), "exec-2", Instant.now()))
                .isInstanceOf(UpkeepEngine.Failed.class)
                .hasMessageContaining("Quartermaster.FoldRefused")
                .hasMessageContaining("Mark has 4 child result(s), the plan made 5 batch(es)");

        assertThat(job.folds).as("nothing folded").isZero();
        assertThat(job.alerts.published())
                .extracting(Alert::kind)
                .containsExactly("UPKEEP_FOLD_REFUSED");
        try (Stream<Path> found = Files.walk(dir)) {
            Path record =
                    found.filter(p -> p.getFileName().toString().equals("fold-refused.json"))
                            .findFirst()
                            .orElseThrow();
            JsonNode recorded = JSON.readTree(record.toFile());
            assertThat(recorded.path("status").asText()).isEqualTo("REJECTED");
            assertThat(recorded.path("details").path("mismatch").get(0).asText())
                    .contains("Mark has 4");
        }
    }

    @Test
    void aFold_withAResultTooMany_refusesToo(@TempDir Path dir) throws Exception {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        CountingJob job = new CountingJob();
        Function<JsonNode, JsonNode> addingOne =
                payload -> {
                    if (payload.path("step").asText().equals("fold")) {
                        duplicateOneResultAsAnotherChild(dir);
                    }
                    return payload;
                };
        assertThatThrownBy(
                        () -> engine(job, files, addingOne).run(event(), "exec-3", Instant.now()))
                .hasMessageContaining("Mark has 6 child result(s), the plan made 5 batch(es)");
        assertThat(job.folds).isZero();
    }

    @Test
    void aBatch_whoseUnitsNameAnotherRunOrOrigin_isRefused(@TempDir Path dir) {
        DirectoryRunFiles files = new DirectoryRunFiles(dir, "bucket");
        CountingJob job = new CountingJob();
        String run = Upkeep.runName("exec-4", Instant.parse("2026-12-07T06:00:00Z"));
        String other = Upkeep.runName("exec-5", Instant.parse("2026-12-07T06:00:00Z"));
        Instant deadline = Instant.now().plusSeconds(60);

        assertThat(
                        UpkeepSteps.handle(
                                        batch(
                                                entry(run, "000000000000"),
                                                entry(run, "000000000000")),
                                        job,
                                        files,
                                        deadline)
                                .status())
                .isEqualTo(Outcome.Status.RECORDED);
        assertThat(job.runsBatched).containsExactly(run);
        assertThatThrownBy(
                        () ->
                                UpkeepSteps.handle(
                                        batch(
                                                entry(run, "000000000000"),
                                                entry(other, "000000000000")),
                                        job,
                                        files,
                                        deadline))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("different runs");
        assertThatThrownBy(
                        () ->
                                UpkeepSteps.handle(
                                        batch(
                                                entry(run, "000000000000"),
                                                entry(run, "111111111111")),
                                        job,
                                        files,
                                        deadline))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("account and region");
        ObjectNode bare = batch(entry(run, "000000000000"));
        ((ObjectNode) bare.get("Items").get(0)).remove("unit");
        assertThatThrownBy(() -> UpkeepSteps.handle(bare, job, files, deadline))
                .isInstanceOf(MalformedEventException.class);
    }

    /** A batch's payload as the definition builds it (see {@link UpkeepMachine}). */
    private static ObjectNode batch(ObjectNode... entries) {
        ObjectNode p = JSON.createObjectNode();
        p.put("upkeep", JOB.jobName());
        p.put("step", "batch");
        p.put("map", "Mark");
        p.put("account", entries[0].path("account").asText());
        p.put("region", entries[0].path("region").asText());
        ArrayNode items = p.putArray("Items");
        for (ObjectNode e : entries) {
            items.add(e);
        }
        return p;
    }

    private static ObjectNode entry(String run, String account) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode unit = e.putObject("unit");
        unit.put("bytes", 1);
        unit.putArray("items").add(7);
        e.put("run", run);
        e.put("account", account);
        e.put("region", "us-east-1");
        return e;
    }

    private static UpkeepEngine engine(
            CountingJob job, RunFiles files, Function<JsonNode, JsonNode> before) {
        return new UpkeepEngine(
                UpkeepMachine.definition(JOB, 1, 0),
                "test",
                payload ->
                        JSON.valueToTree(
                                UpkeepSteps.handle(
                                        before.apply(payload),
                                        job,
                                        files,
                                        Instant.now().plusSeconds(60))),
                files,
                UpkeepEngine.Listener.NONE);
    }

    private static Path succeededFile(Path dir) throws java.io.IOException {
        try (Stream<Path> found = Files.walk(dir)) {
            return found.filter(p -> p.getFileName().toString().equals("SUCCEEDED_0.json"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static void dropOneResult(Path dir) {
        try {
            Path f = succeededFile(dir);
            ArrayNode children = (ArrayNode) JSON.readTree(f.toFile());
            children.remove(children.size() - 1);
            Files.write(f, children.toString().getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void duplicateOneResultAsAnotherChild(Path dir) {
        try {
            Path f = succeededFile(dir);
            ArrayNode children = (ArrayNode) JSON.readTree(f.toFile());
            ObjectNode copy = children.get(0).deepCopy();
            copy.put("ExecutionArn", copy.path("ExecutionArn").asText() + "-another");
            children.add(copy);
            Files.write(f, children.toString().getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode event() {
        try {
            return JSON.readTree(
                    "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                            + "\"account\":\"000000000000\",\"time\":\"2026-12-07T06:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
