package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.app.Wiring;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.testkit.LocalContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Calling a function's real handler as the Lambda runtime would, and the events EventBridge and SSM
 * would send it.
 */
public final class LocalInvoke {
    private LocalInvoke() {}

    /**
     * EventBridge's scheduled event, as the backup schedule sends it (its time in whole seconds, as
     * EventBridge writes it).
     */
    public static byte[] scheduledEvent(Instant at) {
        return ("{\"version\":\"0\",\"id\":\""
                        + UUID.randomUUID()
                        + "\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                        + "\"account\":\"000000000000\",\"time\":\""
                        + at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "\",\"region\":\"us-east-1\","
                        + "\"resources\":[\"arn:aws:events:us-east-1:000000000000:rule/Quartermaster-BackupSchedule\"],\"detail\":{}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** What SSM does after a command ends: tell backup-status, with the event it would send. */
    public static int reportToStatusFunction(LocalAgent agent, Wiring wiring) throws Exception {
        int rc = 0;
        for (LocalAgent.Finished f : agent.drain()) {
            System.err.println(
                    "[local agent] command "
                            + f.commandId()
                            + " ended "
                            + f.status()
                            + ":\n"
                            + f.run().output().strip().indent(2));
            System.out.println(
                    "--- backup-status (SSM status event for command "
                            + f.commandId().substring(0, 8)
                            + ")");
            rc =
                    Math.max(
                            rc,
                            run(
                                    FunctionCatalog.create("backup-status", wiring),
                                    "backup-status",
                                    LocalAgent.statusEvent(f)
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return rc;
    }

    /**
     * Calls a handler as the Lambda runtime would and returns its JSON result. Powertools writes
     * the EMF metric lines to stdout; they go to {@code metricLines} instead, so stdout stays the
     * caller's.
     */
    public static JsonNode call(
            com.amazonaws.services.lambda.runtime.RequestStreamHandler handler,
            String function,
            byte[] event,
            java.io.PrintStream metricLines)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(metricLines);
        try {
            handler.handleRequest(
                    new ByteArrayInputStream(event), out, new LocalContext(function, 900));
        } finally {
            System.setOut(stdout);
        }
        return EventParser.JSON.readTree(out.toByteArray());
    }

    /**
     * Calls the handler, prints its result; 1 if it rejected the event. The metric lines are log
     * lines too: stderr.
     */
    public static int run(
            com.amazonaws.services.lambda.runtime.RequestStreamHandler handler,
            String function,
            byte[] event)
            throws Exception {
        JsonNode result = call(handler, function, event, System.err);
        System.out.println(
                EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        if ("REJECTED".equals(result.path("status").asText())) {
            System.err.println("rejected: " + result.path("message").asText());
            return 1;
        }
        return 0;
    }
}
