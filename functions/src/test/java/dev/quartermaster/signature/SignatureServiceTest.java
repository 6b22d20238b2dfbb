package dev.quartermaster.signature;

import dev.quartermaster.registry.Digests;
import dev.quartermaster.testkit.NotationSigner;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.quartermaster.signature.NotationVerifierTest.DIGEST;
import static dev.quartermaster.signature.NotationVerifierTest.MEDIA;
import static dev.quartermaster.signature.NotationVerifierTest.PROFILE;
import static dev.quartermaster.signature.NotationVerifierTest.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate's search and wait, on an in-memory registry and signing status; every case ends in a
 * verdict within the time given.
 */
class SignatureServiceTest {
    /** A clock the sleeper moves: the waits take no real time. */
    static final class FakeTime extends Clock {
        Instant now = Instant.now();

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final FakeTime time = new FakeTime();
    final Map<String, List<SignatureSource.Signature>> referrers = new HashMap<>();
    final Map<String, byte[]> blobs = new HashMap<>();
    final Deque<SigningStatus.Status> statuses = new ArrayDeque<>();

    /** What the source says it passed over. */
    List<String> skipped = List.of();

    /** What a registry without a signing configuration answers once the statuses run out. */
    SigningStatus.Status last;

    final SignatureSource source =
            new SignatureSource() {
                @Override
                public Target target(String repository, String digest) {
                    return new Target(MEDIA, digest, 1234);
                }

                @Override
                public Found signatures(String repository, String digest, int max) {
                    List<Signature> all = referrers.getOrDefault(digest, List.of());
                    return new Found(all.subList(0, Math.min(max, all.size())), skipped);
                }

                @Override
                public byte[] envelope(String repository, Signature s, int maxBytes) {
                    return blobs.get(s.envelopeDigest());
                }
            };

    SignatureService service() {
        SigningStatus signing =
                (r, d) -> {
                    if (!statuses.isEmpty()) {
                        last = statuses.poll();
                    }
                    return Optional.ofNullable(last);
                };
        return new SignatureService(
                source,
                signing,
                new NotationVerifier(
                        TrustPolicy.awsSigner(
                                List.of(SIGNER.chain().root()),
                                List.of(PROFILE),
                                List.of("*"),
                                true),
                        q -> List.of()),
                time,
                d -> time.now = time.now.plus(d));
    }

    void attach(String subject, byte[] envelope) {
        String envelopeDigest = Digests.of(envelope);
        blobs.put(envelopeDigest, envelope);
        String manifest =
                "sha256:" + Integer.toHexString(referrers.size() + 1).repeat(64).substring(0, 64);
        referrers
                .computeIfAbsent(subject, k -> new ArrayList<>())
                .add(
                        new SignatureSource.Signature(
                                manifest,
                                SignatureService.JWS,
                                envelopeDigest,
                                envelope.length,
                                subject));
    }

    @Test
    void aGoodSignature_isSigned_withTheIdentity() {
        attach(DIGEST, SIGNER.sign(MEDIA, DIGEST, 1234));

        SignatureVerdict v = service().check("wordpress", DIGEST, Duration.ofSeconds(30));

        assertThat(v.state()).isEqualTo(SignatureVerdict.State.SIGNED);
        assertThat(v.identity()).startsWith(PROFILE);
    }

    @Test
    void noSignature_isUnsigned_atOnce_whenTheRegistryDoesNotSign() {
        Instant start = time.now;
        SignatureVerdict v = service().check("wordpress", DIGEST, Duration.ofSeconds(30));
        assertThat(v.state()).isEqualTo(SignatureVerdict.State.UNSIGNED);
        assertThat(time.now).isEqualTo(start);
    }

    @Test
    void
            signingInProgress_thenComplete_isSignedAfterWaiting_andStillInProgressAtTheDeadline_isPending() {
        statuses.add(new SigningStatus.Status(SigningStatus.State.IN_PROGRESS, PROFILE, null));
        statuses.add(new SigningStatus.Status(SigningStatus.State.IN_PROGRESS, PROFILE, null));
        SignatureService s = service();
        // the signature lands while the gate waits: the sleeper attaches it after the second poll
        SignatureService waiting =
                new SignatureService(
                        source,
                        (r, d) -> {
                            SigningStatus.Status st = statuses.poll();
                            if (statuses.isEmpty() && referrers.isEmpty()) {
                                attach(DIGEST, SIGNER.sign(MEDIA, DIGEST, 1234));
                            }
                            return Optional.ofNullable(
                                    st == null
                                            ? new SigningStatus.Status(
                                                    SigningStatus.State.COMPLETE, PROFILE, null)
                                            : st);
                        },
                        new NotationVerifier(
                                TrustPolicy.awsSigner(
                                        List.of(SIGNER.chain().root()),
                                        List.of(PROFILE),
                                        List.of("*"),
                                        true),
                                q -> List.of()),
                        time,
                        d -> time.now = time.now.plus(d));
        assertThat(waiting.check("wordpress", DIGEST, Duration.ofSeconds(30)).state())
                .isEqualTo(SignatureVerdict.State.SIGNED);

        referrers.clear();
        last = new SigningStatus.Status(SigningStatus.State.IN_PROGRESS, PROFILE, null);
        Instant start = time.now;
        SignatureVerdict pending =
                s.check("wordpress", "sha256:" + "c".repeat(64), Duration.ofSeconds(30));
        assertThat(pending.state()).isEqualTo(SignatureVerdict.State.PENDING);
        assertThat(pending.reason()).contains("still signing");
        assertThat(Duration.between(start, time.now)).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void signingFailed_isFailed_withTheRegistrysReason() {
        last =
                new SigningStatus.Status(
                        SigningStatus.State.FAILED,
                        PROFILE,
                        "AccessDenied: the pusher may not signer:SignPayload");
        SignatureVerdict v = service().check("wordpress", DIGEST, Duration.ofSeconds(30));
        assertThat(v.state()).isEqualTo(SignatureVerdict.State.FAILED);
        assertThat(v.reason()).contains("signer:SignPayload");
    }

    @Test
    void anEnvelopeOverTheCap_isInvalid_withoutBeingRead() {
        referrers.put(
                DIGEST,
                List.of(
                        new SignatureSource.Signature(
                                "sha256:" + "d".repeat(64),
                                SignatureService.JWS,
                                "sha256:" + "e".repeat(64),
                                SignatureService.MAX_ENVELOPE_BYTES + 1,
                                DIGEST)));
        SignatureVerdict v = service().check("wordpress", DIGEST, Duration.ofSeconds(30));
        assertThat(v.state()).isEqualTo(SignatureVerdict.State.INVALID);
        assertThat(v.reason()).contains("at most 65536");
    }

    @Test
    void aReferrerLoop_andAListNamingAnotherSubject_areSkipped_andOneBadOneGoodSignatureIsSigned() {
        // the image listed as its own referrer, and a signature whose subject is another digest
        referrers.put(
                DIGEST,
                new ArrayList<>(
                        List.of(
                                new SignatureSource.Signature(
                                        DIGEST, SignatureService.JWS, DIGEST, 10, DIGEST),
                                new SignatureSource.Signature(
                                        "sha256:" + "f".repeat(64),
                                        SignatureService.JWS,
                                        "sha256:" + "f".repeat(64),
                                        10,
                                        "sha256:" + "0".repeat(64)))));
        assertThat(service().check("wordpress", DIGEST, Duration.ofSeconds(5)).state())
                .isEqualTo(SignatureVerdict.State.UNSIGNED);

        attach(
                DIGEST,
                SIGNER.sign(MEDIA, "sha256:" + "9".repeat(64), 1234)); // signs another digest
        assertThat(service().check("wordpress", DIGEST, Duration.ofSeconds(5)).state())
                .isEqualTo(SignatureVerdict.State.INVALID);
        attach(DIGEST, SIGNER.sign(MEDIA, DIGEST, 1234));
        assertThat(service().check("wordpress", DIGEST, Duration.ofSeconds(5)).state())
                .isEqualTo(SignatureVerdict.State.SIGNED);
    }

    @Test
    void aSignatureOnlyOnAPlatformManifest_doesNotSignTheIndex() {
        String child = "sha256:" + "7".repeat(64);
        attach(child, SIGNER.sign(MEDIA, child, 1234));
        assertThat(service().check("wordpress", DIGEST, Duration.ofSeconds(5)).state())
                .isEqualTo(SignatureVerdict.State.UNSIGNED);
        assertThat(service().check("wordpress", child, Duration.ofSeconds(5)).state())
                .isEqualTo(SignatureVerdict.State.SIGNED);
    }

    @Test
    void theNumberOfSignaturesConsidered_isBounded() {
        for (int i = 0; i < 40; i++) {
            attach(DIGEST, SIGNER.sign(MEDIA, "sha256:" + "9".repeat(64), 1234));
        }
        SignatureVerdict v = service().check("wordpress", DIGEST, Duration.ofSeconds(5));
        assertThat(v.state()).isEqualTo(SignatureVerdict.State.INVALID);
        assertThat(v.reason().length()).isLessThanOrEqualTo(600);
        assertThat(NotationSigner.SIGNATURE_ARTIFACT)
                .isEqualTo("application/vnd.cncf.notary.signature");
    }

    @Test
    void whatTheSearchPassedOver_isSaidInTheVerdict() {
        skipped =
                List.of(
                        "64 referrers of other artifact types (not read)",
                        "1 referrer listed but missing from the registry");
        SignatureVerdict none = service().check("wordpress", DIGEST, Duration.ofSeconds(5));
        assertThat(none.state()).isEqualTo(SignatureVerdict.State.UNSIGNED);
        assertThat(none.reason())
                .contains(
                        "no Notation signature refers to",
                        "skipped: 64 referrers of other artifact types (not read), 1 referrer listed");

        for (int i = 0; i < 16; i++) {
            attach(DIGEST, SIGNER.sign(MEDIA, "sha256:" + "9".repeat(64), 1234));
        }
        SignatureVerdict invalid = service().check("wordpress", DIGEST, Duration.ofSeconds(5));
        assertThat(invalid.state()).isEqualTo(SignatureVerdict.State.INVALID);
        assertThat(invalid.reason())
                .hasSizeLessThanOrEqualTo(600)
                .contains("skipped: 64 referrers of other artifact types");
    }
}
