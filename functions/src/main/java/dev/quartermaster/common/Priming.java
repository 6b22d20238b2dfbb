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
        return "snap-start".equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE"))
                || Boolean.getBoolean(SNAP_START_PROPERTY);
    }

    /**
     * The tests' switch for {@link #snapStart()} (a JVM's environment cannot be changed from inside
     * it): {@code app.PrimingReadOnlyTest} builds every function as SnapStart's init would.
     */
    public static final String SNAP_START_PROPERTY = "qm.priming.snapStart";

    private static volatile boolean inProgress;

    /** Set by the after-restore hook: from then on, real events run and nothing primes. */
    private static volatile boolean restored;

    /**
     * While a primer runs: metrics are not emitted (an event that never happened counts nothing).
     */
    public static boolean inProgress() {
        return inProgress;
    }

    /**
     * Runs {@code primer} as the before-checkpoint hook does: metrics held back, whatever it throws
     * logged at debug and dropped (priming must never fail a function's publication).
     */
    public static void run(Primer primer, java.util.function.Consumer<String> handle) {
        if (restored) {
            return; // never once real events run: the guard would answer their writes
        }
        boolean was = inProgress;
        inProgress = true;
        try {
            primer.prime(
                    event -> {
                        try {
                            handle.accept(event);
                        } catch (RuntimeException e) {
                            LoggerFactory.getLogger(Priming.class)
                                    .debug("priming event: {}", e.toString());
                        }
                    });
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Priming.class).debug("priming: {}", e.toString());
        } finally {
            inProgress = was;
        }
    }

    /**
     * Registers {@code hook} to run before SnapStart's snapshot (org.crac, as Lambda's SnapStart
     * runtime hooks: "Implement code before or after Lambda function snapshots", Lambda developer
     * guide, snapstart-runtime-hooks-java.html). The answer must be kept by the caller: CRaC's
     * global context may hold its resources weakly.
     */
    public static org.crac.Resource beforeCheckpoint(Runnable hook) {
        org.crac.Resource resource =
                new org.crac.Resource() {
                    @Override
                    public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> c) {
                        hook.run();
                        settle();
                    }

                    @Override
                    public void afterRestore(org.crac.Context<? extends org.crac.Resource> c) {
                        restored = true;
                    }
                };
        org.crac.Core.getGlobalContext().register(resource);
        return resource;
    }

    /**
     * An SSM "EC2 Command Invocation Status-change Notification" (the shape of {@code
     * events/ssm-command-success.json}) of a command nobody sent: the status functions look it up,
     * find nothing and ignore it.
     */
    public static String ssmStatus(
            dev.quartermaster.events.EventOrigin origin, String document, String status) {
        String account = origin.account() == null ? "000000000000" : origin.account();
        String region = origin.region() == null ? "us-east-1" : origin.region();
        return "{\"version\":\"0\",\"id\":\"qm-priming\",\"detail-type\":\"EC2 Command Invocation Status-change Notification\","
                + "\"source\":\"aws.ssm\",\"account\":\""
                + account
                + "\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\""
                + region
                + "\",\"resources\":[\"arn:aws:ec2:"
                + region
                + ":"
                + account
                + ":instance/i-00000000000000000\"],\"detail\":{\"command-id\":\"00000000-0000-4000-8000-000000000000\","
                + "\"document-name\":\""
                + document
                + "\",\"instance-id\":\"i-00000000000000000\",\"requested-date-time\":\"2026-01-01T00:00:00.000Z\",\"status\":\""
                + status
                + "\"}}";
    }

    /**
     * Runs {@code step} once, then again while fewer than {@code max} runs are made and {@code
     * budget} (from the start) lasts: a priming step made often enough for the JIT, bounded.
     *
     * @return the runs made
     */
    public static int repeat(int max, java.time.Duration budget, Runnable step) {
        long until = System.nanoTime() + budget.toNanos();
        int runs = 0;
        do {
            step.run();
            runs++;
        } while (runs < max && System.nanoTime() < until);
        return runs;
    }

    /** The longest {@link #settle} waits. */
    static final java.time.Duration SETTLE_LIMIT = java.time.Duration.ofSeconds(1);

    /**
     * Waits, at most {@link #SETTLE_LIMIT}, until the JIT has compiled nothing for three polls 10
     * ms apart: what priming queued for compilation is compiled before the snapshot, not by the
     * compiler threads racing the first event after the restore (measured with the event straight
     * after the hooks: backup-start's and release-drift's first events took 1.7 times their warm
     * ones without this).
     *
     * @return how long it waited
     */
    static java.time.Duration settle() {
        long started = System.nanoTime();
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return java.time.Duration.ZERO;
        }
        long deadline = started + SETTLE_LIMIT.toNanos();
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = jit.getTotalCompilationTime();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
        return java.time.Duration.ofNanos(System.nanoTime() - started);
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
        if (!snapStart() || restored) {
            return; // after the restore a component built on first use must not prime (the
            // guard, process-wide, would answer the real events' writes)
        }
        boolean was = inProgress;
        inProgress = true; // through the guard too (PrimingGuard): a read is sent, nothing else
        try {
            request.run();
        } catch (RuntimeException | LinkageError e) {
            // a class the runtime lacks fails this priming only, never the function's init
            REFUSED.add(what + ": " + e);
            LoggerFactory.getLogger(Priming.class).debug("priming {}: {}", what, e.toString());
        } finally {
            inProgress = was;
        }
    }

    /** What {@link #reach} saw fail, for the tests (bounded: the last few). */
    static final java.util.Deque<String> REFUSED =
            new java.util.concurrent.ConcurrentLinkedDeque<>() {
                @Override
                public boolean add(String s) {
                    while (size() >= 64) {
                        pollFirst();
                    }
                    return super.add(s);
                }
            };

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
    /** Where the Lambda runtime puts an invocation's trace id, which Powertools reads first. */
    private static final String TRACE_KEY = "AWS_LAMBDA_X_TRACE_ID";

    private static final String PRIMING_TRACE =
            "Root=1-00000000-" + PrimingGuard.MARK + "0000000000000;Sampled=0";

    private static void metrics() {
        var real = software.amazon.lambda.powertools.metrics.MetricsFactory.getMetricsInstance();
        // what every event sets (EventFunction), and the request-scoped logger it creates: this
        // one, init's, is never flushed and holds nothing
        real.setDefaultDimensions(
                software.amazon.lambda.powertools.metrics.model.DimensionSet.of(
                        dev.quartermaster.contract.Metric.DIMENSION,
                        dev.quartermaster.contract.Metric.DIMENSION_VALUE));
        real.getDefaultDimensions();
        // the request-scoped logger every event creates (a lambda linked on first use), here
        // under a trace id of the primer's own: it holds nothing, is never flushed, and no real
        // event's trace id finds it
        software.amazon.awssdk.utilslite.SdkInternalThreadLocal.put(TRACE_KEY, PRIMING_TRACE);
        try {
            real.clearDefaultDimensions();
        } finally {
            software.amazon.awssdk.utilslite.SdkInternalThreadLocal.remove(TRACE_KEY);
        }
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
