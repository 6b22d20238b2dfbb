package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageAction;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageActions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code image-verify}: checks every tagged push against what its tag promises. */
public final class VerifyHandler extends EventFunction {
    private final VerificationService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public VerifyHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public VerifyHandler(Platform platform) {
        this(
                VerifyRoot.verification(platform),
                VerifyRoot.managedRepositories(platform.settings()));
        wiredTo(platform);
    }

    private final java.util.List<String> repositories;

    public VerifyHandler(VerificationService service) {
        this(service, java.util.List.of());
    }

    /**
     * @param repositories the managed repositories whose signatures the hourly schedule re-checks
     */
    public VerifyHandler(VerificationService service, java.util.List<String> repositories) {
        this.service = service;
        this.repositories = java.util.List.copyOf(repositories);
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): a push of a digest nothing
     * has: the verdict's path up to the registry's "not found", its record and alert answered by
     * the guard.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("image-action-push.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        if (dev.quartermaster.events.ScheduledEvent.DETAIL_TYPE.equals(
                json.path("detail-type").asText(""))) {
            dev.quartermaster.events.ScheduledEvent.parse(json);
            VerificationService.Rechecked r =
                    service.recheckSignatures(repositories, VerifyBudget.of(timeLeft()));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("checked", r.checked());
            details.put("states", r.states());
            details.put("left", r.left());
            return Outcome.recorded(
                    "signatures re-checked: "
                            + r.checked()
                            + (r.left() > 0 ? " (" + r.left() + " left for the next run)" : ""),
                    details);
        }
        AwsEvent<EcrImageAction> event =
                EventParser.parse(
                        json,
                        EcrImageAction.class,
                        EcrImageAction.SOURCE,
                        Set.of(EcrImageAction.DETAIL_TYPE));
        ImageAction a = ImageActions.from(event);
        if (a.kind() != ImageAction.Kind.PUSH || !a.success()) {
            return Outcome.ignored("only successful pushes are verified");
        }
        if (a.tagOpt().isEmpty()) {
            return Outcome.ignored(
                    "untagged push (a platform manifest of a multi-arch image is verified through its index)");
        }
        if (a.tag().startsWith(LifecycleRules.PROTECT_PREFIX)) {
            if (a.tag().equals(LifecycleRules.markFor(a.digest()))) {
                // the release switch's mark on a digest it released, verified under its own tag:
                // another verdict must not replace that one
                return Outcome.ignored(
                        "the release mark " + a.tag() + " is not a promise to verify");
            }
            // any other qm-release- tag: someone with push rights claiming the lifecycle protection
            // for an image it does not name
            if (!service.forgedMark(a.eventId(), a.repository(), a.digest(), a.tag())) {
                return Outcome.duplicate(
                        "event " + a.eventId() + " was already handled (or is being handled now)");
            }
            dev.quartermaster.common.QmMetrics.count(
                    dev.quartermaster.contract.Metric.VERIFICATION_FAILED);
            return Outcome.recorded(
                    a.repository() + ":" + a.tag() + " FORGED_MARK",
                    Map.of(
                            "repository",
                            a.repository(),
                            "tag",
                            a.tag(),
                            "digest",
                            a.digest(),
                            "verdict",
                            "FORGED_MARK",
                            "expectedMark",
                            LifecycleRules.markFor(a.digest())));
        }
        var report =
                service.verifyPush(
                        a.eventId(),
                        a.repository(),
                        a.digest(),
                        a.tag(),
                        VerifyBudget.of(timeLeft()));
        if (report.isEmpty()) {
            return Outcome.duplicate(
                    "event " + a.eventId() + " was already verified (or is being verified now)");
        }
        Verdict v = report.get().verdict();
        dev.quartermaster.common.QmMetrics.countFor(
                dev.quartermaster.contract.Metric.byName("Verdict" + v.kind().name()),
                a.repository());
        if (v.kind().alerts()) {
            dev.quartermaster.common.QmMetrics.count(
                    dev.quartermaster.contract.Metric.VERIFICATION_FAILED);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", a.repository());
        details.put("tag", a.tag());
        details.put("digest", a.digest());
        details.putAll(v.details());
        var signature = report.get().signature();
        if (signature != null) {
            details.put("signature", signature.state().name());
            if (signature.identity() != null) {
                details.put("signedBy", signature.identity());
            }
            if (signature.reason() != null) {
                details.put("signatureReason", signature.reason());
            }
            dev.quartermaster.common.QmMetrics.countFor(
                    dev.quartermaster.contract.Metric.byName(
                            "Signature" + signature.state().name()),
                    a.repository());
        }
        return Outcome.recorded(a.repository() + ":" + a.tag() + " " + v.kind(), details);
    }
}
