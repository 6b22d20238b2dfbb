package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.verify.VerificationService;
import dev.quartermaster.verify.VerifyBudget;
import dev.quartermaster.verify.VerifyHandler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * image-verify's hourly schedule: PENDING signatures settle, SIGNED ones are checked again, each
 * recorded; bounded.
 */
class SignatureRecheckScheduleTest {
    static final String GONE = "sha256:" + "b".repeat(64);
    static final String FRESH = "sha256:" + "c".repeat(64);

    final SignatureServiceTest.FakeTime time = new SignatureServiceTest.FakeTime();
    final Map<String, List<SignatureSource.Signature>> referrers = new HashMap<>();
    final Map<String, byte[]> blobs = new HashMap<>();
    final List<String> asked = new ArrayList<>();
    final InMemoryLedgerStore ledger = new InMemoryLedgerStore();
    final RecordingAlerts alerts = new RecordingAlerts();

    final SignatureSource source =
            new SignatureSource() {
                @Override
                public Target target(String repository, String digest) {
                    asked.add(digest);
                    return new Target(MEDIA, digest, 1234);
                }

                @Override
                public Found signatures(String repository, String digest, int max) {
                    return new Found(referrers.getOrDefault(digest, List.of()), List.of());
                }

                @Override
                public byte[] envelope(String repository, Signature s, int maxBytes) {
                    return blobs.get(s.envelopeDigest());
                }
            };

    VerificationService service() {
        TrustPolicy policy =
                new TrustPolicy(
                        List.of(SIGNER.chain().root()), List.of(PROFILE), List.of("*"), true);
        SignatureService signatures =
                new SignatureService(
                        source,
                        (r, d) -> Optional.empty(),
                        new NotationVerifier(policy, q -> List.of()),
                        time,
                        d -> time.now = time.now.plus(d));
        return new VerificationService(
                null,
                ledger,
                null,
                alerts,
                time,
                new SignatureGate(signatures, policy, ledger, alerts, Duration.ofSeconds(30)));
    }

    void push(String digest, String tag, ImageRecord.Signature sig) {
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "push-" + tag,
                                time.now,
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                digest,
                                tag,
                                null,
                                null));
        ledger.recordSignature("wordpress", digest, sig);
    }

    void attach(String subject) {
        byte[] envelope = SIGNER.sign(MEDIA, subject, 1234);
        String envelopeDigest = Digests.of(envelope);
        blobs.put(envelopeDigest, envelope);
        referrers
                .computeIfAbsent(subject, k -> new ArrayList<>())
                .add(
                        new SignatureSource.Signature(
                                "sha256:" + "e".repeat(64),
                                SignatureService.JWS,
                                envelopeDigest,
                                envelope.length,
                                subject));
    }

    @Test
    void recheckSignatures_settlesPending_rechecksStaleSigned_andLeavesFreshOnesAlone() {
        Instant now = time.now;
        push(
                DIGEST,
                "wp-6.4-v1",
                new ImageRecord.Signature(
                        "PENDING",
                        null,
                        "the registry is still signing",
                        null,
                        now.minusSeconds(600)));
        push(
                GONE,
                "wp-6.4-v2",
                new ImageRecord.Signature(
                        "SIGNED", PROFILE, null, now.minusSeconds(7200), now.minusSeconds(7200)));
        push(
                FRESH,
                "wp-6.4-v3",
                new ImageRecord.Signature(
                        "SIGNED", PROFILE, null, now.minusSeconds(600), now.minusSeconds(600)));
        attach(DIGEST); // the registry finished signing after the push

        VerificationService.Rechecked r =
                service()
                        .recheckSignatures(
                                List.of("wordpress"), VerifyBudget.of(Duration.ofMinutes(2)));

        assertThat(r.checked()).isEqualTo(2);
        assertThat(asked)
                .as("PENDING first, then the SIGNED checked longest ago")
                .containsExactly(DIGEST, GONE);
        assertThat(ledger.image("wordpress", DIGEST).orElseThrow().signature().state())
                .isEqualTo("SIGNED");
        ImageRecord.Signature gone = ledger.image("wordpress", GONE).orElseThrow().signature();
        assertThat(gone.state()).as("its signature is gone since").isEqualTo("UNSIGNED");
        assertThat(gone.at()).isEqualTo(time.now);
        assertThat(ledger.image("wordpress", FRESH).orElseThrow().signature().at())
                .isEqualTo(now.minusSeconds(600));
        assertThat(alerts.kinds()).containsExactly("SIGNATURE_UNSIGNED");
    }

    @Test
    void recheckSignatures_isBoundedPerRun_andSaysHowManyAreLeft() {
        for (int i = 0; i < VerificationService.RECHECKS_PER_RUN + 3; i++) {
            String d = "sha256:" + String.format("%064x", i + 1);
            push(
                    d,
                    "wp-6.4-p" + i,
                    new ImageRecord.Signature("PENDING", null, "still signing", null, time.now));
        }

        VerificationService.Rechecked r =
                service()
                        .recheckSignatures(
                                List.of("wordpress"), VerifyBudget.of(Duration.ofMinutes(2)));

        assertThat(r.checked()).isEqualTo(VerificationService.RECHECKS_PER_RUN);
        assertThat(r.left()).isEqualTo(3);
    }

    @Test
    void theScheduledEvent_runsTheRecheck_throughImageVerify() {
        push(
                DIGEST,
                "wp-6.4-v1",
                new ImageRecord.Signature("PENDING", null, "still signing", null, time.now));
        attach(DIGEST);

        JsonNode out =
                Invoke.handler(
                        new VerifyHandler(service(), List.of("wordpress")),
                        "scheduled-backup.json");

        assertThat(out.path("status").asText()).isEqualTo("RECORDED");
        assertThat(out.path("details").path("checked").asInt()).isEqualTo(1);
        assertThat(ledger.image("wordpress", DIGEST).orElseThrow().signature().signed()).isTrue();
    }
}
