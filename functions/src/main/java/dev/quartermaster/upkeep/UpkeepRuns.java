package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.contract.UpkeepMachine;

import java.time.Instant;
import java.util.Map;

/**
 * A whole upkeep run in this process: the state machine's definition interpreted by {@link
 * UpkeepEngine}, each step handed to the job as the deployed function would get it. What a function
 * does when it is invoked with the schedule's event itself (bin/qm invoke, the tests; in AWS the
 * schedule starts the state machine), and what bin/qm's {@code archive scrub|reconcile|prune} run.
 */
public final class UpkeepRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UpkeepRuns() {}

    /**
     * @param event the event the state machine would have been started with (its account and region
     *     ride in every payload)
     * @param toleratedFailurePercentage as the deployed map's (0: any failed batch fails the run)
     */
    public static Outcome run(
            UpkeepJob job,
            RunFiles files,
            JsonNode event,
            Instant deadline,
            int toleratedFailurePercentage,
            UpkeepEngine.Listener listener) {
        JsonNode definition = UpkeepMachine.definition(job.upkeep(), 1, toleratedFailurePercentage);
        UpkeepEngine engine =
                new UpkeepEngine(
                        definition,
                        "local-" + job.upkeep().jobName(),
                        payload ->
                                JSON.valueToTree(UpkeepSteps.handle(payload, job, files, deadline)),
                        files,
                        listener);
        String id = event.path("id").asText("run").replaceAll("[^A-Za-z0-9_-]", "");
        JsonNode out = engine.run(event, "local-" + (id.isEmpty() ? "run" : id), Instant.now());
        @SuppressWarnings("unchecked")
        Map<String, Object> details = JSON.convertValue(out.path("details"), Map.class);
        return new Outcome(
                Outcome.Status.valueOf(out.path("status").asText()),
                out.path("message").asText(),
                details == null ? Map.of() : details);
    }
}
