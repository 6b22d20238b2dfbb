package dev.quartermaster.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.EventParser;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image-action}: records every ECR push, delete, archive and restore in the ledger, once.
 */
public final class ImageActionHandler extends EventFunction {
    private final ImageLedger ledger;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ImageActionHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ImageActionHandler(Platform platform) {
        this(new ImageLedger(LedgerRoot.store(platform), platform.alerts()));
        wiredTo(platform);
        dev.quartermaster.common.Priming.reach(
                "the ledger",
                () -> prime(platform)); // a priming that fails must not fail the function's init
    }

    public ImageActionHandler(ImageLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Under SnapStart the snapshot is taken after this constructor: walk the ledger's path once so
     * its classes are loaded and the HTTP client warm in the snapshot. Nothing is written: the keys
     * read do not exist and the transaction is built, not sent.
     */
    private static void prime(Platform platform) {
        // the ledger's first-event path, writing nothing: parse and plan a real-shaped event, read
        // a head and an
        // image, its transaction built and not sent (EventFunction primed the
        // common path:
        // JSON, the log line, the metrics line).
        var event =
                EventParser.parse(
                        EventParser.readTree(
                                PRIMING_EVENT.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        EcrImageAction.class,
                        EcrImageAction.SOURCE,
                        Set.of(EcrImageAction.DETAIL_TYPE));
        ImageAction action = ImageActions.from(event);
        LedgerStore store = LedgerRoot.store(platform);
        LedgerWrite write =
                ImageLedger.plan(
                        action,
                        store.head(action.repository(), action.tag()).orElse(null),
                        List.of(),
                        store.image(action.repository(), action.digest()).orElse(null));
        store.prime(write);
    }

    /** A push as ECR sends it, to a repository and tag nothing uses. */
    private static final String PRIMING_EVENT =
            "{\"version\":\"0\",\"id\":\"qm-priming\",\"detail-type\":\"ECR Image Action\","
                    + "\"source\":\"aws.ecr\",\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\","
                    + "\"resources\":[],\"detail\":{\"result\":\"SUCCESS\",\"repository-name\":\"qm-priming\",\"image-digest\":"
                    + "\"sha256:0000000000000000000000000000000000000000000000000000000000000000\",\"action-type\":\"PUSH\","
                    + "\"image-tag\":\"qm-priming\",\"manifest-media-type\":\"application/vnd.oci.image.manifest.v1+json\"}}";

    /**
     * Priming (run through PrimingGuard: only reads leave the process): a push of a tag nobody
     * uses, of a digest nothing has: the ledger's reads, its transaction answered by the guard.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(
                    dev.quartermaster.common.PrimingEvents.push(
                            origin(), primingRepository(), "qm-priming"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        AwsEvent<EcrImageAction> event =
                EventParser.parse(
                        json,
                        EcrImageAction.class,
                        EcrImageAction.SOURCE,
                        Set.of(EcrImageAction.DETAIL_TYPE));
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
        java.util.Optional.ofNullable(result.tagEvent())
                .ifPresent(
                        t -> {
                            details.put("previousDigest", t.previousDigest());
                            details.put("tagMoved", t.moved());
                            details.put("outOfOrder", t.outOfOrder());
                        });
        java.util.Optional.ofNullable(result.storageEvent())
                .ifPresent(
                        st -> {
                            details.put("storageClass", st.storageClass().name());
                            details.put("outOfOrder", st.outOfOrder());
                        });
        if (result.tagMoved()) {
            dev.quartermaster.common.QmMetrics.count(dev.quartermaster.contract.Metric.TAG_MOVED);
        }
        String what =
                !action.success()
                        ? "failed " + action.kind()
                        : action.kind()
                                + " "
                                + action.repository()
                                + (action.tag().isEmpty()
                                        ? "@" + action.digest()
                                        : ":" + action.tag());
        String storage =
                result.storageEvent() == null
                        ? ""
                        : " ("
                                + result.storageEvent().storageClass()
                                + (result.storageEvent().outOfOrder()
                                        ? ", late: a newer storage class is kept"
                                        : "")
                                + ")";
        return Outcome.recorded(
                what + (result.tagMoved() ? " (tag moved)" : "") + storage, details);
    }
}
