package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The upkeep definitions agree with what the functions read and write: each map reads the items
 * file the plan names, batches the plan's units as the contract sizes them, hands the batch
 * function every field it reads, and writes its results where the fold reads them.
 */
class UpkeepMachineTest {

    @Test
    void everyMap_isDistributed_readsThePlansItems_batchesItsUnits_andWritesWhereTheFoldReads() {
        for (Upkeep job : Upkeep.values()) {
            JsonNode d = UpkeepMachine.definition(job, 10, 5);
            List<String> order = new ArrayList<>();
            String state = d.path("StartAt").asText();
            while (!state.isEmpty()) {
                order.add(state);
                JsonNode s = d.path("States").path(state);
                state =
                        s.path("Type").asText().equals("Choice")
                                ? s.path("Choices").path(0).path("Next").asText()
                                : s.path("Next").asText("");
            }
            List<String> expected = new ArrayList<>(List.of("Plan", "Planned"));
            job.maps().forEach(m -> expected.add(m.label()));
            expected.add("Fold");
            expected.add("Folded");
            expected.add("Done");
            assertThat(order).as(job.jobName()).isEqualTo(expected);
            JsonNode refused =
                    d.path("States").path(d.path("States").path("Folded").path("Default").asText());
            assertThat(refused.path("Type").asText())
                    .as("a fold that did not record fails the run")
                    .isEqualTo("Fail");
            assertThat(refused.path("CausePath").asText()).isEqualTo("$.message");

            for (Upkeep.MapSpec m : job.maps()) {
                JsonNode map = d.path("States").path(m.label());
                assertThat(map.path("Label").asText()).isEqualTo(m.label());
                assertThat(map.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText())
                        .isEqualTo("DISTRIBUTED");
                assertThat(
                                map.path("ItemProcessor")
                                        .path("ProcessorConfig")
                                        .path("ExecutionType")
                                        .asText())
                        .isEqualTo("STANDARD");
                assertThat(map.path("ItemReader").path("ReaderConfig").path("InputType").asText())
                        .isEqualTo("JSON");
                assertThat(map.path("ItemReader").path("Parameters").path("Key.$").asText())
                        .isEqualTo("$.plan.details.maps." + m.label() + ".items");
                assertThat(map.path("ItemReader").path("Parameters").path("Bucket.$").asText())
                        .isEqualTo("$.plan.details.bucket");
                assertThat(map.path("ItemBatcher").path("MaxItemsPerBatch").asInt())
                        .isEqualTo(m.unitsPerBatch());
                assertThat(map.path("ItemBatcher").path("MaxInputBytesPerBatch").asInt())
                        .isLessThanOrEqualTo(256 * 1024);
                assertThat(map.path("ResultWriter").path("Parameters").path("Prefix.$").asText())
                        .isEqualTo("$.plan.details.maps." + m.label() + ".results");
                assertThat(map.path("ResultPath").asText()).isEqualTo("$." + m.label());
                JsonNode batch = map.path("ItemProcessor").path("States").path("Batch");
                assertThat(batch.path("Parameters").path("FunctionName").asText())
                        .isEqualTo(UpkeepMachine.FUNCTION);
                JsonNode payload = batch.path("Parameters").path("Payload");
                assertThat(fields(payload))
                        .containsExactlyInAnyOrder(
                                Upkeep.FIELD_UPKEEP,
                                Upkeep.FIELD_STEP,
                                Upkeep.FIELD_MAP,
                                "account",
                                "region",
                                Upkeep.FIELD_ITEMS);
                assertThat(payload.path("Items.$").asText()).isEqualTo("$.Items");
                assertThat(payload.path("upkeep.$").asText()).isEqualTo("$.BatchInput.upkeep");
                assertThat(payload.path("map.$").asText()).isEqualTo("$.BatchInput.map");
                assertThat(payload.path("account.$").asText()).isEqualTo("$.Items[0].account");
                assertThat(payload.path("region.$").asText()).isEqualTo("$.Items[0].region");
                // BatchInput is fixed JSON: constants only, no path (Step Functions would pass a
                // "run.$" key through as it is)
                JsonNode batchInput = map.path("ItemBatcher").path("BatchInput");
                assertThat(fields(batchInput))
                        .containsExactlyInAnyOrder(Upkeep.FIELD_UPKEEP, Upkeep.FIELD_MAP);
                batchInput.fieldNames().forEachRemaining(f -> assertThat(f).doesNotEndWith(".$"));
                assertThat(batchInput.path(Upkeep.FIELD_UPKEEP).asText()).isEqualTo(job.jobName());
                assertThat(batchInput.path(Upkeep.FIELD_MAP).asText()).isEqualTo(m.label());
                // the run and the origin ride with every unit, selected from the Map's input
                JsonNode selector = map.path("ItemSelector");
                assertThat(selector.path("unit.$").asText()).isEqualTo("$$.Map.Item.Value");
                assertThat(selector.path("run.$").asText())
                        .isEqualTo(UpkeepMachine.PLAN_PATH + ".run");
                assertThat(selector.path("account.$").asText()).isEqualTo("$.account");
                assertThat(selector.path("region.$").asText()).isEqualTo("$.region");
                assertThat(fields(selector))
                        .containsExactlyInAnyOrder(
                                Upkeep.FIELD_UNIT, Upkeep.FIELD_RUN, "account", "region");
            }
            JsonNode fold = d.path("States").path("Fold").path("Parameters").path("Payload");
            assertThat(fold.path("plan.$").asText()).isEqualTo(UpkeepMachine.PLAN_PATH);
            job.maps()
                    .forEach(
                            m ->
                                    assertThat(fold.path("results").path(m.label() + ".$").asText())
                                            .isEqualTo("$." + m.label()));
        }
    }

    @Test
    void theKeysOfARun_lieInItsFolder_andItsNameComesFromTheExecution() {
        String run = Upkeep.runName("0b1d-schedule_4f2e", Instant.parse("2026-12-05T05:00:00Z"));
        assertThat(run).startsWith("20261205T050000Z-").matches(Upkeep.RUN.pattern());
        assertThat(Upkeep.ARCHIVE_SCRUB.itemsKey(run, "Rehash"))
                .isEqualTo("upkeep/runs/archive-scrub/" + run + "/Rehash-items.json");
        assertThat(Upkeep.ARCHIVE_SCRUB.resultsPrefix(run, "Check"))
                .isEqualTo("upkeep/runs/archive-scrub/" + run + "/Check");
        assertThatThrownBy(() -> Upkeep.ARCHIVE_SCRUB.runFolder("../blobs"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void definition_refusesAConcurrencyOrToleranceStepFunctionsWouldRefuse() {
        assertThatThrownBy(() -> UpkeepMachine.definition(Upkeep.ARCHIVE_SCRUB, 0, 5))
                .hasMessageContaining("MaxConcurrency must be 1..10000");
        assertThatThrownBy(() -> UpkeepMachine.definition(Upkeep.ARCHIVE_SCRUB, 10, 101))
                .hasMessageContaining("ToleratedFailurePercentage must be 0..100");
    }

    private static List<String> fields(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames()
                .forEachRemaining(
                        f -> out.add(f.endsWith(".$") ? f.substring(0, f.length() - 2) : f));
        return out;
    }
}
