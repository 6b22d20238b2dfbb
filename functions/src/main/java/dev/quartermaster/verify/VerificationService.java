package dev.quartermaster.verify;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerStore;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifies a pushed image and records the verdict on the digest's ledger entry (and on each
 * platform manifest of an index, which it also links to the index). A verdict that fails alerts.
 * Runs once per event: a redelivered event finds its done-marker and stops.
 */
public final class VerificationService {
    /** Lambda's asynchronous invoke: the first delivery and two retries. */
    static final int ATTEMPTS = 3;

    private final ImageVerifier verifier;
    private final LedgerStore ledger;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final Clock clock;
    private final dev.quartermaster.signature.SignatureGate signatures;

    public VerificationService(
            ImageVerifier verifier,
            LedgerStore ledger,
            IdempotencyStore idempotency,
            Alerts alerts,
            Clock clock) {
        this(
                verifier,
                ledger,
                idempotency,
                alerts,
                clock,
                dev.quartermaster.signature.SignatureGate.off());
    }

    public VerificationService(
            ImageVerifier verifier,
            LedgerStore ledger,
            IdempotencyStore idempotency,
            Alerts alerts,
            Clock clock,
            dev.quartermaster.signature.SignatureGate signatures) {
        this.verifier = verifier;
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.clock = clock;
        this.signatures = signatures;
    }

    /**
     * What one push came to: the version check's report and the signature step's verdict (null when
     * the gate is off).
     */
    public record Verified(
            ImageVerifier.Report report, dev.quartermaster.signature.SignatureVerdict signature) {
        public Verdict verdict() {
            return report.verdict();
        }
    }

    /**
     * The signature step on a verified push, within what is left of the budget (empty when the gate
     * is off).
     */
    private java.util.Optional<dev.quartermaster.signature.SignatureVerdict> signature(
            String repository, String digest, String tag, VerifyBudget budget) {
        Duration left =
                Duration.between(clock.instant(), budget.deadline())
                        .minusSeconds(5); // time to record and answer
        return signatures.check(repository, digest, tag, left.isNegative() ? Duration.ZERO : left);
    }

    /**
     * Verifies once per event: the work is claimed (a conditional IN_PROGRESS record) before any
     * byte is read, so a concurrent second delivery stands back; a failure releases the claim for
     * Lambda's retry.
     *
     * @return empty if the event was already verified, or is being verified right now
     */
    public java.util.Optional<Verified> verifyPush(
            String eventId, String repository, String digest, String tag, VerifyBudget budget) {
        String key = "verify#" + eventId;
        Duration lock = Duration.between(clock.instant(), budget.deadline()).plusMinutes(1);
        IdempotencyStore.Claim claim =
                idempotency.begin(key, lock.isNegative() ? Duration.ofMinutes(1) : lock);
        if (claim.state() != IdempotencyStore.State.ACQUIRED) {
            return java.util.Optional.empty();
        }
        try {
            ImageVerifier.Report found;
            try {
                found = verifier.verify(repository, digest, tag, budget);
            } catch (dev.quartermaster.registry.RegistryException e) {
                if (!e.isTransient() || claim.failures() + 1 < ATTEMPTS) {
                    throw e; // the registry is down: Lambda delivers the event again later
                }
                // the last delivery Lambda makes: record and alert rather than leave the event only
                // in a dead-letter queue
                found =
                        new ImageVerifier.Report(
                                digest,
                                null,
                                Verdict.of(
                                        ImageVerdict.UNVERIFIABLE,
                                        null,
                                        null,
                                        "the registry kept failing over "
                                                + ATTEMPTS
                                                + " deliveries of the event: "
                                                + e.getMessage(),
                                        0,
                                        0),
                                java.util.List.of());
            }
            ImageVerifier.Report report = record(repository, digest, tag, found);
            var signature = signature(repository, report.digest(), tag, budget).orElse(null);
            idempotency.complete(key, report.verdict().kind().name());
            return java.util.Optional.of(new Verified(report, signature));
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /**
     * A {@code qm-release-} tag that is not the mark of the digest it was pushed on: alerts
     * FORGED_MARK, once per event (the same claim as a verification). Nothing is recorded on the
     * image: the tag protects it from the lifecycle rules until someone removes it, which is what
     * the alert asks for.
     *
     * @return false if the event was already handled, or is being handled now
     */
    public boolean forgedMark(String eventId, String repository, String digest, String tag) {
        String key = "verify#" + eventId;
        IdempotencyStore.Claim claim = idempotency.begin(key, Duration.ofMinutes(5));
        if (claim.state() != IdempotencyStore.State.ACQUIRED) {
            return false;
        }
        try {
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("repository", repository);
            attrs.put("tag", tag);
            attrs.put("digest", digest);
            attrs.put("verdict", "FORGED_MARK");
            String mark = dev.quartermaster.contract.LifecycleRules.markFor(digest);
            alerts.publish(
                    new Alert(
                                    "FORGED_MARK",
                                    "FORGED_MARK: "
                                            + repository
                                            + ":"
                                            + tag
                                            + " is not a release mark",
                                    "Image "
                                            + repository
                                            + "@"
                                            + digest
                                            + " was pushed with the tag "
                                            + tag
                                            + ". Tags starting with "
                                            + dev.quartermaster.contract.LifecycleRules
                                                    .PROTECT_PREFIX
                                            + " keep an image from the lifecycle rules; the release"
                                            + " switch puts only "
                                            + mark
                                            + " on this digest, so this tag was put there by someone else (a flood of them keeps"
                                            + " junk forever and hides the real marks). Find who pushed it (CloudTrail PutImage), then remove the tag:"
                                            + " aws ecr batch-delete-image --repository-name "
                                            + repository
                                            + " --image-ids imageTag="
                                            + tag
                                            + " (if it is the image's only tag, that deletes the image).",
                                    attrs)
                            .withNext(
                                    "aws ecr batch-delete-image --repository-name "
                                            + repository
                                            + " --image-ids imageTag="
                                            + tag));
            idempotency.complete(key, "FORGED_MARK");
            return true;
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /** The most tags of one digest {@link #recheck} verifies. */
    public static final int RECHECK_TAGS = 5;

    /**
     * {@code bin/qm verify}: every check again on one digest, on demand (no event to claim: the
     * operator's explicit act). The version check runs for each of {@code tags} (at most {@value
     * #RECHECK_TAGS}), the verdicts recorded kept ones first so a tag whose promise the content
     * breaks is the one the ledger shows; then the signature gate, recorded and alerted.
     */
    public Verified recheck(
            String repository, String digest, java.util.List<String> tags, VerifyBudget budget) {
        if (tags.isEmpty()) {
            throw new IllegalArgumentException(
                    repository
                            + "@"
                            + digest
                            + " carries no tag the ledger knows: there is no promise to verify");
        }
        java.util.List<Map.Entry<String, ImageVerifier.Report>> reports =
                new java.util.ArrayList<>();
        for (String tag : tags.stream().limit(RECHECK_TAGS).toList()) {
            reports.add(Map.entry(tag, verifier.verify(repository, digest, tag, budget)));
        }
        reports.sort(
                java.util.Comparator.comparing(
                        r -> r.getValue().verdict().kind() != ImageVerdict.VERIFIED));
        Map.Entry<String, ImageVerifier.Report> last = null;
        for (Map.Entry<String, ImageVerifier.Report> r : reports) {
            record(repository, digest, r.getKey(), r.getValue());
            last = r;
        }
        var signature =
                signature(repository, last.getValue().digest(), last.getKey(), budget).orElse(null);
        return new Verified(last.getValue(), signature);
    }

    /**
     * At most this many digests are re-checked per scheduled run (PENDING first, then the SIGNED
     * checked longest ago).
     */
    public static final int RECHECKS_PER_RUN = 25;

    /**
     * A SIGNED verdict older than this is checked again by the schedule (revocation, expiry): the
     * release gate trusts it 2 h.
     */
    public static final Duration SIGNED_RECHECK_AFTER = Duration.ofMinutes(55);

    /**
     * What one scheduled re-check did: how many digests it checked, each one's new state, and how
     * many it left for the next run.
     */
    public record Rechecked(int checked, Map<String, String> states, int left) {}

    /**
     * The hourly re-check of signatures: settles PENDING digests (the registry had not finished
     * signing at push) and checks the SIGNED ones again (a revocation or an expiry since), each
     * recorded and alerted by the signature gate, bounded ({@value #RECHECKS_PER_RUN} a run, within
     * the time left). Deleted images and platform manifests are skipped.
     */
    public Rechecked recheckSignatures(java.util.List<String> repositories, VerifyBudget budget) {
        if (!signatures.enabled()) {
            return new Rechecked(0, Map.of(), 0);
        }
        java.time.Instant now = clock.instant();
        java.util.List<ImageRecord> due = new java.util.ArrayList<>();
        for (String repository : repositories) {
            for (ImageRecord i : ledger.images(repository)) {
                ImageRecord.Signature sig = i.signature();
                if (i.deleted() || sig == null || i.indexDigest() != null) {
                    continue;
                }
                boolean pending = "PENDING".equals(sig.state());
                boolean stale =
                        sig.signed()
                                && (sig.at() == null
                                        || Duration.between(sig.at(), now)
                                                        .compareTo(SIGNED_RECHECK_AFTER)
                                                > 0);
                if (pending || stale) {
                    due.add(i);
                }
            }
        }
        due.sort(
                java.util.Comparator.<ImageRecord, Boolean>comparing(
                                i -> !"PENDING".equals(i.signature().state()))
                        .thenComparing(
                                i -> i.signature().at(),
                                java.util.Comparator.nullsFirst(
                                        java.util.Comparator.naturalOrder())));
        Map<String, String> states = new LinkedHashMap<>();
        int checked = 0;
        for (ImageRecord i : due) {
            Duration left = Duration.between(clock.instant(), budget.deadline()).minusSeconds(10);
            if (checked >= RECHECKS_PER_RUN || left.compareTo(Duration.ofSeconds(5)) < 0) {
                break;
            }
            var v =
                    signatures.check(
                            i.repository(),
                            i.digest(),
                            i.tags().stream().findFirst().orElse(null),
                            left);
            states.put(
                    i.repository() + "@" + i.digest(), v.map(x -> x.state().name()).orElse("OFF"));
            checked++;
        }
        return new Rechecked(checked, states, due.size() - checked);
    }

    private ImageVerifier.Report record(
            String repository, String digest, String tag, ImageVerifier.Report report) {
        Verdict v = report.verdict();
        ledger.recordVerification(repository, report.digest(), toRecord(v));
        if (!report.children().isEmpty()) {
            ledger.linkChildren(repository, report.digest(), report.children());
            for (int i = 0; i < v.platforms().size(); i++) {
                ledger.recordVerification(
                        repository, report.children().get(i), toRecord(v.platforms().get(i)));
            }
        }
        if (v.kind().alerts()) {
            alerts.publish(alert(repository, tag, report.digest(), v));
        }
        return report;
    }

    private ImageRecord.Verification toRecord(Verdict v) {
        return new ImageRecord.Verification(
                v.kind(),
                v.promised(),
                v.found(),
                v.reason(),
                v.bytesFetched(),
                v.imageBytes(),
                clock.instant());
    }

    static Alert alert(String repository, String tag, String digest, Verdict v) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("repository", repository);
        attrs.put("tag", tag);
        attrs.put("digest", digest);
        attrs.put("verdict", v.kind().name());
        if (v.promised() != null) {
            attrs.put("promised", v.promised());
        }
        if (v.found() != null) {
            attrs.put("found", v.found());
        }
        String subject =
                v.kind()
                        + ": "
                        + repository
                        + ":"
                        + tag
                        + (v.kind() == ImageVerdict.MISMATCH
                                ? " promises " + v.promised() + " but holds " + v.found()
                                : "");
        String message =
                "Image "
                        + repository
                        + ":"
                        + tag
                        + " ("
                        + digest
                        + ") was checked against its tag: "
                        + v.kind()
                        + ". "
                        + v.reason()
                        + ". Do not deploy it until this is explained; the ledger keeps the verdict "
                        + "(bin/qm ledger "
                        + repository
                        + ":"
                        + tag
                        + ").";
        return new Alert(v.kind().name(), subject, message, attrs)
                .withNext("bin/qm ledger " + repository + ":" + tag + " --aws");
    }
}
