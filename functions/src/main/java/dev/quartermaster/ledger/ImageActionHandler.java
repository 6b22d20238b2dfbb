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
        EventParser.readTree(new java.io.ByteArrayInputStream("{\"id\":\"prime\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        platform.ledgerStore().head("qm-priming", "qm-priming");
    }

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
