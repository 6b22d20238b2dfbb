package dev.quartermaster.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.contract.Metric;
import dev.quartermaster.events.EcrPolicyExecution;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.idempotency.IdempotencyStore;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lifecycle-guard}: each run of ECR's lifecycle policy (CloudTrail's PolicyExecutionEvent),
 * checked against what the releases need and what the archive holds; {@code LIFECYCLE_LOSS} at once
 * for a needed image. Claimed per event before anything is read, so a second delivery does not
 * alert twice.
 */
public final class LifecycleGuardHandler extends EventFunction {
    private final LifecycleGuard guard;
    private final IdempotencyStore claims;
    private final LifecycleHearing hearing;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public LifecycleGuardHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public LifecycleGuardHandler(Platform platform) {
        this(
                LifecycleRoot.guard(platform),
                IdempotencyRoot.store(platform),
                LifecycleRoot.hearing(platform));
        wiredTo(platform);
    }

    /**
     * @param hearing where the guard records, per repository, that it heard a lifecycle run (bin/qm
     *     status reads it)
     */
    public LifecycleGuardHandler(
            LifecycleGuard guard, IdempotencyStore claims, LifecycleHearing hearing) {
        this.guard = guard;
        this.claims = claims;
        this.hearing = hearing;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): an expiry of a digest
     * nothing has: what runs read, the claim answered by the guard.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("ecr-lifecycle-expired.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        EcrPolicyExecution e = EcrPolicyExecution.parse(json);
        String key = "lifecycle#" + e.eventId();
        IdempotencyStore.Claim claim = claims.begin(key, Duration.ofMinutes(2));
        if (claim.state() != IdempotencyStore.State.ACQUIRED) {
            return Outcome.duplicate(
                    "lifecycle event "
                            + e.eventId()
                            + " was already checked (or is being checked now)");
        }
        List<LifecycleGuard.Loss> losses;
        try {
            hearing.heard(e.repository(), e.at());
            losses = guard.check(e);
        } catch (RuntimeException ex) {
            claims.release(key);
            throw ex;
        }
        claims.complete(key, losses.isEmpty() ? "OK" : "LOSS " + losses.size());
        QmMetrics.add(Metric.LIFECYCLE_EXPIRED, e.images().size());
        QmMetrics.add(Metric.LIFECYCLE_LOSS, losses.size());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", e.repository());
        details.put("images", e.images().size());
        losses.forEach(
                l -> details.put(l.digest(), l.action() + ": " + String.join("; ", l.why())));
        return Outcome.recorded(
                losses.isEmpty()
                        ? "lifecycle acted on " + e.images().size() + " image(s), none needed"
                        : "LIFECYCLE_LOSS: "
                                + losses.size()
                                + " needed image(s) of "
                                + e.repository(),
                details);
    }
}
