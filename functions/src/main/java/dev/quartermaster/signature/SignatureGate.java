package dev.quartermaster.signature;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signature step of image-verify: checks a pushed digest, records the verdict on its ledger
 * entry, and alerts an INVALID or FAILED signature at once, an UNSIGNED one where the repository
 * requires a signature. PENDING is recorded without an alert: the release gate refuses it and
 * checks again. Off (no step at all) unless signing is managed or some repository requires a
 * signature.
 */
public final class SignatureGate {
    private final SignatureService service;
    private final TrustPolicy policy;
    private final LedgerStore ledger;
    private final Alerts alerts;
    private final Duration wait;

    public SignatureGate(
            SignatureService service,
            TrustPolicy policy,
            LedgerStore ledger,
            Alerts alerts,
            Duration wait) {
        this.service = service;
        this.policy = policy;
        this.ledger = ledger;
        this.alerts = alerts;
        this.wait = wait;
    }

    /** A gate that checks nothing (signing off, no repository requiring a signature). */
    public static SignatureGate off() {
        return new SignatureGate(null, TrustPolicy.none(), null, null, Duration.ZERO);
    }

    public boolean enabled() {
        return service != null;
    }

    public TrustPolicy policy() {
        return policy;
    }

    /**
     * Checks and records; empty when the gate is off. {@code timeLeft}: what the caller can spend,
     * waits included.
     */
    public Optional<SignatureVerdict> check(
            String repository, String digest, String tag, Duration timeLeft) {
        if (service == null) {
            return Optional.empty();
        }
        Duration budget = timeLeft.compareTo(wait) < 0 ? timeLeft : wait;
        SignatureVerdict v =
                service.check(repository, digest, budget.isNegative() ? Duration.ZERO : budget);
        ledger.recordSignature(
                repository,
                digest,
                new ImageRecord.Signature(
                        v.state().name(), v.identity(), v.reason(), v.signedAt(), v.checkedAt()));
        boolean alert =
                switch (v.state()) {
                    case INVALID, FAILED -> true;
                    case UNSIGNED -> policy.required(repository);
                    case SIGNED, PENDING -> false;
                };
        if (alert) {
            alerts.publish(alert(repository, tag, digest, v, policy.required(repository)));
        }
        return Optional.of(v);
    }

    static Alert alert(
            String repository, String tag, String digest, SignatureVerdict v, boolean required) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("repository", repository);
        attrs.put("tag", tag == null ? "" : tag);
        attrs.put("digest", digest);
        attrs.put("signature", v.state().name());
        String subject =
                "SIGNATURE_"
                        + v.state()
                        + ": "
                        + repository
                        + (tag == null ? "@" + digest.substring(0, 19) : ":" + tag);
        String message =
                "The signature check of "
                        + repository
                        + (tag == null ? "" : ":" + tag)
                        + " ("
                        + digest
                        + ") answered "
                        + v.state()
                        + (v.reason() == null ? "" : ": " + v.reason())
                        + ". "
                        + (required
                                ? "Its releases need a valid signature: bin/qm release refuses it. "
                                : "")
                        + "Find out who pushed it (CloudTrail PutImage) before trusting it; bin/qm ledger "
                        + repository
                        + "@"
                        + digest
                        + " shows the verdict.";
        return new Alert("SIGNATURE_" + v.state(), subject, message, attrs)
                .withNext("bin/qm verify " + repository + "@" + digest + " --aws");
    }
}
