package dev.quartermaster.signature;

import dev.quartermaster.common.Text;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The signature gate's check of one digest: finds the Notation signatures referring to it (never
 * following a referrer's own referrers: signatures of signatures, loops and lists that name other
 * subjects are skipped), verifies each (bounded: {@value #MAX_SIGNATURES} signatures, {@value
 * #MAX_ENVELOPE_BYTES} bytes an envelope) and answers SIGNED when one holds. While the registry
 * reports its signing IN_PROGRESS it waits, with backoff, within the time given; then PENDING. What
 * counts is a signature on the digest itself (an index's, for a multi-platform image): a signature
 * on one platform manifest does not sign the index a tag names.
 */
public final class SignatureService {
    public static final int MAX_SIGNATURES = 16;
    public static final int MAX_ENVELOPE_BYTES = 64 * 1024;
    public static final String JWS = "application/jose+json";

    /** Waits between polls; a test passes one that only advances its clock. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final SignatureSource source;
    private final SigningStatus signing;
    private final NotationVerifier verifier;
    private final Clock clock;
    private final Sleeper sleeper;

    public SignatureService(
            SignatureSource source,
            SigningStatus signing,
            NotationVerifier verifier,
            Clock clock,
            Sleeper sleeper) {
        this.source = source;
        this.signing = signing;
        this.verifier = verifier;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public SignatureVerdict check(String repository, String digest, Duration wait) {
        Instant deadline = clock.instant().plus(wait);
        Duration backoff = Duration.ofSeconds(1);
        SignatureSource.Target target;
        try {
            target = source.target(repository, digest);
        } catch (RuntimeException e) {
            return SignatureVerdict.of(
                    SignatureVerdict.State.PENDING,
                    "the image could not be read to check its signature: "
                            + Text.oneLine(String.valueOf(e.getMessage()), 200),
                    clock.instant());
        }
        while (true) {
            Outcome outcome = verifyFound(repository, target);
            if (outcome.verdict() != null) {
                return outcome.verdict();
            }
            var status = statusOf(repository, digest);
            if (status != null && status.state() == SigningStatus.State.FAILED) {
                return SignatureVerdict.of(
                        SignatureVerdict.State.FAILED,
                        "the registry's signing failed: " + Text.oneLine(status.reason(), 300),
                        clock.instant());
            }
            boolean waitFor =
                    status != null; // IN_PROGRESS, or COMPLETE with the signature not visible yet
            if (!waitFor || !clock.instant().plus(backoff).isBefore(deadline)) {
                if (status != null && status.state() == SigningStatus.State.IN_PROGRESS) {
                    return SignatureVerdict.of(
                            SignatureVerdict.State.PENDING,
                            "the registry is still signing (" + status.profileArn() + ")",
                            clock.instant());
                }
                if (status != null) {
                    return SignatureVerdict.of(
                            SignatureVerdict.State.PENDING,
                            "the registry reports signing COMPLETE, but no signature refers to the image yet",
                            clock.instant());
                }
                return SignatureVerdict.of(
                        SignatureVerdict.State.UNSIGNED,
                        Text.oneLine(
                                "no Notation signature refers to " + digest + outcome.skipped(),
                                600),
                        clock.instant());
            }
            try {
                sleeper.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return SignatureVerdict.of(
                        SignatureVerdict.State.PENDING,
                        "interrupted while waiting for the registry's signing",
                        clock.instant());
            }
            backoff =
                    backoff.multipliedBy(2).compareTo(Duration.ofSeconds(16)) > 0
                            ? Duration.ofSeconds(16)
                            : backoff.multipliedBy(2);
        }
    }

    private SigningStatus.Status statusOf(String repository, String digest) {
        try {
            return signing.status(repository, digest).orElse(null);
        } catch (RuntimeException e) { // no answer: judge by what the registry holds
            return null;
        }
    }

    /**
     * The verdict of the signatures found (null when there is none), and what the search passed
     * over ("" or "; skipped: …").
     */
    private record Outcome(SignatureVerdict verdict, String skipped) {}

    private Outcome verifyFound(String repository, SignatureSource.Target target) {
        SignatureSource.Found found;
        try {
            found = source.signatures(repository, target.digest(), MAX_SIGNATURES);
        } catch (RuntimeException e) {
            return new Outcome(
                    SignatureVerdict.of(
                            SignatureVerdict.State.PENDING,
                            "the signatures could not be listed: "
                                    + Text.oneLine(String.valueOf(e.getMessage()), 200),
                            clock.instant()),
                    "");
        }
        String skipped =
                found.skipped().isEmpty() ? "" : "; skipped: " + String.join(", ", found.skipped());
        List<String> reasons = new ArrayList<>();
        int considered = 0;
        for (SignatureSource.Signature s : found.signatures()) {
            if (!target.digest().equals(s.subjectDigest())
                    || s.manifestDigest().equals(target.digest())) {
                continue; // a list naming another subject, or the image itself: not a signature of
                // this digest
            }
            considered++;
            String reason;
            if (!JWS.equals(s.envelopeMediaType())) {
                reason =
                        "envelope type "
                                + Text.oneLine(s.envelopeMediaType(), 60)
                                + " is not supported (JWS only)";
            } else if (s.envelopeSize() > MAX_ENVELOPE_BYTES) {
                reason =
                        "the envelope is "
                                + s.envelopeSize()
                                + " bytes (at most "
                                + MAX_ENVELOPE_BYTES
                                + ")";
            } else {
                byte[] envelope;
                try {
                    envelope = source.envelope(repository, s, MAX_ENVELOPE_BYTES);
                } catch (RuntimeException e) {
                    reasons.add(
                            s.manifestDigest().substring(7, 19)
                                    + ": "
                                    + Text.oneLine(String.valueOf(e.getMessage()), 160));
                    continue;
                }
                NotationVerifier.Result r = verifier.verify(envelope, target, clock.instant());
                if (r.valid()) {
                    return new Outcome(
                            new SignatureVerdict(
                                    SignatureVerdict.State.SIGNED,
                                    r.identity(),
                                    null,
                                    r.signedAt(),
                                    clock.instant()),
                            skipped);
                }
                reason = r.reason();
            }
            reasons.add(s.manifestDigest().substring(7, 19) + ": " + reason);
        }
        if (considered == 0) {
            return new Outcome(null, skipped);
        }
        return new Outcome(
                SignatureVerdict.of(
                        SignatureVerdict.State.INVALID,
                        Text.oneLine(
                                        String.join("; ", reasons),
                                        600 - Math.min(skipped.length(), 300))
                                + Text.oneLine(skipped, 300),
                        clock.instant()),
                skipped);
    }
}
