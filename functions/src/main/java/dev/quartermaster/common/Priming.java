package dev.quartermaster.common;

import dev.quartermaster.events.EventParser;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Map;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * SnapStart priming of what every function's first event runs, whatever its feature: parsing JSON,
 * a structured log line under Powertools' logging context, the outcome's JSON and the metrics line.
 * It writes nothing anywhere but one log line: the EMF line is serialised, not printed (a printed
 * one would publish a metric for an event that never happened). Features prime their own paths on
 * top (image-action its ledger transaction).
 */
public final class Priming {
    private Priming() {}

    /**
     * Lambda tells SnapStart's init apart: the snapshot is taken after the handler's constructor.
     */
    public static boolean snapStart() {
        return "snap-start".equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE"));
    }

    /** A digest nothing has: what priming asks for. */
    public static final String NO_DIGEST = "sha256:" + "0".repeat(64);

    /**
     * Under SnapStart only: one harmless request through a client the function will use (a read of
     * something that does not exist, which may also be refused), so the snapshot holds its whole
     * request path (endpoint rules, signing, HTTP, the error's unmarshalling) and the first event
     * does not pay for it. Whatever it answers or throws is expected and ignored; it writes
     * nothing.
     */
    public static void reach(String what, Runnable request) {
        if (!snapStart()) {
            return;
        }
        try {
            request.run();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Priming.class).debug("priming {}: {}", what, e.toString());
        }
    }

    /** The path every handler shares (see the class comment). */
    public static void commonPath(Class<?> handler) {
        try {
            EventParser.readTree(
                    "{\"version\":\"0\",\"id\":\"qm-priming\",\"detail\":{\"a\":[1,\"b\",true,null]}}"
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Outcome outcome =
                    Outcome.recorded("primed", Map.of("handler", handler.getSimpleName()));
            EventParser.JSON.writeValueAsBytes(outcome);
            PowertoolsLogging.withLogging(
                    new PrimingContext(),
                    () -> {
                        LoggerFactory.getLogger(handler)
                                .info("primed for SnapStart", entry("outcome", outcome));
                        return null;
                    });
        } catch (java.io.IOException e) {
            throw new IllegalStateException("priming failed: " + e.getMessage(), e);
        }
        metrics();
        eventDetails();
    }

    /**
     * The events' detail types, each handler's parse of its first event: Jackson builds a type's
     * deserializer once, on first use.
     */
    static final java.util.List<Class<?>> DETAILS =
            java.util.List.of(
                    dev.quartermaster.events.EcrImageAction.class,
                    dev.quartermaster.events.EcrImageScan.class,
                    dev.quartermaster.events.EcrPolicyExecution.class,
                    dev.quartermaster.events.EcrReplicationAction.class,
                    dev.quartermaster.events.Inspector2Finding.class,
                    dev.quartermaster.events.Inspector2Scan.class,
                    dev.quartermaster.events.SsmCommandStatus.class,
                    Map.class);

    /**
     * Every detail type's deserializer, built and run on an empty detail (which each type refuses
     * or reads as empty: nothing leaves this process), so a function's first event parses as its
     * later ones do.
     */
    private static void eventDetails() {
        for (Class<?> type : DETAILS) {
            try {
                EventParser.JSON.treeToValue(EventParser.JSON.createObjectNode(), type);
            } catch (java.io.IOException | RuntimeException e) {
                LoggerFactory.getLogger(Priming.class)
                        .debug("priming {}: {}", type.getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Powertools' metrics instance (this registers its own checkpoint hook, safe because the
     * function jars leave out the class list it would preload, some of it AspectJ), the EMF library
     * under it (the environment, resolved once per container then cached, its sink, a logger) and
     * an EMF line serialised.
     */
    private static void metrics() {
        software.amazon.lambda.powertools.metrics.MetricsFactory.getMetricsInstance();
        software.amazon.lambda.powertools.metrics.model.DimensionSet.of(
                "Application", "Quartermaster");
        var environment = new software.amazon.cloudwatchlogs.emf.environment.EnvironmentProvider();
        new software.amazon.cloudwatchlogs.emf.logger.MetricsLogger(environment);
        environment.resolveEnvironment().join().getSink();
        var emf = new software.amazon.cloudwatchlogs.emf.model.MetricsContext();
        emf.putDimension(
                software.amazon.cloudwatchlogs.emf.model.DimensionSet.of(
                        "Application", "Quartermaster"));
        emf.putMetric("EventsRecorded", 1, software.amazon.cloudwatchlogs.emf.model.Unit.COUNT);
        try {
            emf.serialize();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
