package dev.quartermaster.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.EventParser;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code image-action}: records every ECR push and delete in the ledger, once. */
public final class ImageActionHandler extends EventFunction {
    private final ImageLedger ledger;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ImageActionHandler() {
        this(Platform.fromEnvironment());
    }

    private ImageActionHandler(Platform platform) {
        this(new ImageLedger(platform.ledgerStore(), platform.alerts()));
        acceptingOnly(platform.origin());
        if ("snap-start".equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE"))) {
            prime(platform);
        }
    }

    public ImageActionHandler(ImageLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Under SnapStart the snapshot is taken after this constructor: walk the hot path once (parse an
     * event, one read of the table) so its classes are loaded and the HTTP client warm in the snapshot.
     * Read-only and harmless: the key read does not exist.
     */
    private static void prime(Platform platform) {
        // the whole first-event path, writing nothing: parse and plan a real-shaped event, read a head and an
        // image, a transaction whose condition cannot hold, the result's JSON, a log line and a metrics line.
        var event = EventParser.parse(EventParser.readTree(PRIMING_EVENT.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                EcrImageAction.class, EcrImageAction.SOURCE, Set.of(EcrImageAction.DETAIL_TYPE));
        ImageAction action = ImageActions.from(event);
        LedgerStore store = platform.ledgerStore();
        LedgerWrite write = ImageLedger.plan(action, store.head(action.repository(), action.tag()).orElse(null), List.of(),
                store.image(action.repository(), action.digest()).orElse(null));
        store.prime(write);
        try {
            EventParser.JSON.writeValueAsBytes(Outcome.recorded("primed", Map.of("repository", action.repository())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // the structured log line as an invocation writes it: Powertools' logging context, the JSON layout
        software.amazon.lambda.powertools.logging.PowertoolsLogging.withLogging(new dev.quartermaster.common.PrimingContext(), () -> {
            org.slf4j.LoggerFactory.getLogger(ImageActionHandler.class).info("primed for SnapStart",
                    software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry("outcome",
                            Outcome.recorded("primed", Map.of("repository", action.repository()))));
            return null;
        });
        // Powertools' metrics: its instance (this registers its own checkpoint hook, safe because the function jars
        // leave out the class list it would preload, some of it AspectJ) and an EMF line serialised, not printed:
        // a line printed here would publish a metric for an event that never happened
        software.amazon.lambda.powertools.metrics.MetricsFactory.getMetricsInstance();
        software.amazon.lambda.powertools.metrics.model.DimensionSet.of("Application", "Quartermaster");
        // the EMF library under it: the environment (resolved once per container, then cached), its sink, a logger
        var environment = new software.amazon.cloudwatchlogs.emf.environment.EnvironmentProvider();
        new software.amazon.cloudwatchlogs.emf.logger.MetricsLogger(environment);
        environment.resolveEnvironment().join().getSink();
        var emf = new software.amazon.cloudwatchlogs.emf.model.MetricsContext();
        emf.putDimension(software.amazon.cloudwatchlogs.emf.model.DimensionSet.of("Application", "Quartermaster"));
        emf.putMetric("EventsRecorded", 1, software.amazon.cloudwatchlogs.emf.model.Unit.COUNT);
        try {
            emf.serialize();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A push as ECR sends it, to a repository and tag nothing uses. */
    private static final String PRIMING_EVENT = "{\"version\":\"0\",\"id\":\"qm-priming\",\"detail-type\":\"ECR Image Action\","
            + "\"source\":\"aws.ecr\",\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\","
            + "\"resources\":[],\"detail\":{\"result\":\"SUCCESS\",\"repository-name\":\"qm-priming\",\"image-digest\":"
            + "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"action-type\":\"PUSH\","
            + "\"image-tag\":\"qm-priming\",\"manifest-media-type\":\"application/vnd.oci.image.manifest.v1+json\"}}";

    @Override
    protected Outcome handle(JsonNode json) {
        AwsEvent<EcrImageAction> event = EventParser.parse(json, EcrImageAction.class,
                EcrImageAction.SOURCE, Set.of(EcrImageAction.DETAIL_TYPE));
        ImageAction action = ImageActions.from(event);
        ImageLedger.Result result = ledger.record(action);
        if (result.duplicate()) {
            return Outcome.duplicate("event " + action.eventId() + " was already recorded");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", action.repository());
        details.put("tag", action.tag());
        details.put("digest", action.digest());
        details.put("action", action.kind().name());
        details.put("success", action.success());
        java.util.Optional.ofNullable(result.tagEvent()).ifPresent(t -> {
            details.put("previousDigest", t.previousDigest());
            details.put("tagMoved", t.moved());
            details.put("outOfOrder", t.outOfOrder());
        });
        if (result.tagMoved()) {
            MetricsFactory.getMetricsInstance().addMetric("TagMoved", 1, MetricUnit.COUNT);
        }
        String what = !action.success() ? "failed " + action.kind()
                : action.kind() + " " + action.repository() + (action.tag().isEmpty() ? "@" + action.digest() : ":" + action.tag());
        return Outcome.recorded(what + (result.tagMoved() ? " (tag moved)" : ""), details);
    }
}
