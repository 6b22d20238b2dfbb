package dev.quartermaster.common;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.MalformedEventException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The shape every handler shares: read bytes, parse, delegate, write the {@link Outcome}. A {@link
 * MalformedEventException} becomes a logged, counted REJECTED result that returns normally, so a
 * poison event is never retried into a storm; any other exception propagates so Lambda retries it
 * and, after the retries, parks the event in the dead-letter queue.
 */
public abstract class EventFunction implements RequestStreamHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EventFunction.class);
    private static final int LOGGED_PAYLOAD_CHARS = 4096;

    private static final java.time.Duration NO_CONTEXT_TIME = java.time.Duration.ofMinutes(5);
    private static final java.time.Duration SAFETY_MARGIN = java.time.Duration.ofSeconds(10);
    private final ThreadLocal<Context> invocation = new ThreadLocal<>();
    private volatile dev.quartermaster.events.EventOrigin origin =
            dev.quartermaster.events.EventOrigin.any();

    /**
     * Under SnapStart, the path every handler's first event runs is primed before the snapshot
     * ({@link Priming}).
     */
    protected EventFunction() {
        if (Priming.snapStart()) {
            Priming.commonPath(getClass());
            // after the constructor (the subclass's too), before the snapshot: the function's own
            // primer
            this.checkpointHook = Priming.beforeCheckpoint(this::prime);
        } else {
            this.checkpointHook = null;
        }
    }

    /** Held so CRaC's global context (which may hold resources weakly) keeps the hook. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final Object checkpointHook;

    /**
     * This function's own priming (none but the shared path unless a function says): see {@link
     * Primer}. Called after construction, so a function may use its fields; its events run through
     * {@link PrimingGuard}, so only reads leave the process.
     */
    protected Primer primer() {
        return Primer.NONE;
    }

    /**
     * Runs this function's primer over its whole path, each event as an invocation under a priming
     * context, with no metric emitted: what the before-checkpoint hook does (and the test that
     * checks it only reads).
     *
     * @return each event's outcome (its JSON, or what it threw), round after round
     */
    public final java.util.List<String> prime() {
        java.util.List<String> outcomes = new java.util.ArrayList<>();
        // rounds: the first loads the path's classes, the next ones let the JIT compile it; a cheap
        // path gets more of them, an expensive one (real reads) no more than its budget allows
        long started = System.nanoTime();
        for (int round = 0;
                round < MAX_PRIMING_ROUNDS && (round == 0 || withinBudget(started));
                round++) {
            boolean first = round == 0;
            Priming.run(
                    primer(),
                    event -> {
                        if (!first && !withinBudget(started)) {
                            return; // spent: a round that waits on the network ends here
                        }
                        var out = new java.io.ByteArrayOutputStream();
                        try {
                            handleRequest(
                                    new java.io.ByteArrayInputStream(
                                            event.getBytes(
                                                    java.nio.charset.StandardCharsets.UTF_8)),
                                    out,
                                    new PrimingContext());
                            outcomes.add(out.toString(java.nio.charset.StandardCharsets.UTF_8));
                        } catch (RuntimeException e) {
                            outcomes.add("threw " + e);
                            throw e;
                        }
                    });
        }
        return outcomes;
    }

    /**
     * How often the primer's events run before the snapshot: every event once, then again while
     * {@link #PRIMING_BUDGET} lasts, at most this often.
     */
    static final int MAX_PRIMING_ROUNDS = 15;

    static final java.time.Duration PRIMING_BUDGET = java.time.Duration.ofMillis(600);

    private static boolean withinBudget(long started) {
        return System.nanoTime() - started < PRIMING_BUDGET.toNanos();
    }

    private volatile Settings primingSettings;

    /**
     * Wires this function to {@code platform}: accepts only its account and region ({@link
     * #acceptingOnly}); its primer's events name the platform's repository.
     */
    protected final void wiredTo(Platform platform) {
        acceptingOnly(platform.origin());
        this.primingSettings = platform.settings(); // read only when a primer runs
    }

    /** The repository a primer's events name ({@link PrimingEvents#repository}). */
    protected final String primingRepository() {
        Settings s = primingSettings;
        return s == null ? "qm-priming" : PrimingEvents.repository(s);
    }

    /**
     * A primer's event: {@code fixture} ({@link PrimingEvents#FIXTURES}) for this function's
     * account, region and repository.
     */
    protected final String primingEvent(String fixture) {
        return PrimingEvents.of(fixture, origin(), primingRepository());
    }

    /**
     * Accept only events of this account and region: Lambda's constructors pass the platform's
     * origin, read from the settings.
     */
    public final EventFunction acceptingOnly(dev.quartermaster.events.EventOrigin accepted) {
        this.origin = accepted.account() == null ? accepted : widen(accepted);
        return this;
    }

    /**
     * The account and region this handler accepts events from (no account: a local run, anything
     * goes).
     */
    protected final dev.quartermaster.events.EventOrigin origin() {
        return origin;
    }

    /**
     * The origins this handler accepts besides its own account and region (none unless a handler
     * says otherwise).
     */
    protected dev.quartermaster.events.EventOrigin widen(dev.quartermaster.events.EventOrigin own) {
        return own;
    }

    /** The handler's whole job for one well-formed JSON object. */
    protected abstract Outcome handle(JsonNode event);

    /**
     * How long this invocation may still work: Lambda's remaining time less a margin to record the
     * outcome (five minutes when run without a Lambda context, as in tests and local invokes).
     */
    protected final java.time.Duration timeLeft() {
        Context c = invocation.get();
        if (c == null) {
            return NO_CONTEXT_TIME;
        }
        java.time.Duration left =
                java.time.Duration.ofMillis(c.getRemainingTimeInMillis()).minus(SAFETY_MARGIN);
        return left.isNegative() ? java.time.Duration.ofSeconds(1) : left;
    }

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) {
        invocation.set(context);
        Outcome outcome;
        try {
            outcome = PowertoolsLogging.withLogging(context, () -> process(input));
        } finally {
            invocation.remove();
        }
        try {
            EventParser.JSON.writeValue(output, outcome);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Outcome process(InputStream input) {
        Metrics metrics = QmMetrics.instance(); // a primer's: flushed to nothing
        // one dimension for every function, so one alarm (EventsRejected, VerificationFailed, ...)
        // covers them all
        metrics.setDefaultDimensions(
                DimensionSet.of(
                        dev.quartermaster.contract.Metric.DIMENSION,
                        dev.quartermaster.contract.Metric.DIMENSION_VALUE));
        String functionName = getClass().getSimpleName();
        byte[] raw;
        try {
            raw = input.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Outcome outcome;
            try {
                JsonNode tree = EventParser.readTree(raw);
                origin.check(tree);
                outcome = handle(tree);
            } catch (MalformedEventException e) {
                String payload =
                        Text.oneLine(
                                new String(raw, java.nio.charset.StandardCharsets.UTF_8),
                                LOGGED_PAYLOAD_CHARS);
                LOG.warn(
                        "event rejected: {}",
                        e.getMessage(),
                        entry("reason", e.getMessage()),
                        entry("handler", functionName),
                        entry("payload", payload));
                outcome = Outcome.rejected(e.getMessage());
            }
            QmMetrics.count("Events" + title(outcome.status()));
            if (outcome.status() != Outcome.Status.REJECTED) {
                LOG.info("{}: {}", outcome.status(), outcome.message(), entry("outcome", outcome));
            }
            return outcome;
        } finally {
            metrics.flush();
        }
    }

    private static String title(Outcome.Status s) {
        String n = s.name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
}
