package dev.quartermaster.signature;

import dev.quartermaster.testkit.NotationSigner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Notary Project checks, each on an envelope built to fail it (chains generated here, offline). */
class NotationVerifierTest {
    static final String PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/quartermaster";
    static final String MEDIA = "application/vnd.oci.image.manifest.v1+json";
    static final String DIGEST = "sha256:" + "a".repeat(64);
    static final SignatureSource.Target TARGET = new SignatureSource.Target(MEDIA, DIGEST, 1234);
    static final NotationSigner SIGNER = new NotationSigner(NotationSigner.chain("qm-test"), PROFILE);
    final List<RevocationCheck.Query> asked = new ArrayList<>();

    NotationVerifier verifier(List<String> identities, RevocationCheck revocation) {
        return new NotationVerifier(new TrustPolicy(List.of(SIGNER.chain().root()), identities, List.of("*"), true), revocation);
    }

    NotationVerifier verifier() {
        return verifier(List.of(PROFILE), q -> {
            asked.add(q);
            return List.of();
        });
    }

    byte[] signed(Map<String, Object> header, Object payload) {
        return NotationSigner.envelope(header, payload, SIGNER.chain().leafKey(), SIGNER.chain().certificates());
    }

    Map<String, Object> header() {
        return new LinkedHashMap<>(SIGNER.header(Instant.now()));
    }

    NotationVerifier.Result verify(byte[] envelope) {
        return verifier().verify(envelope, TARGET, Instant.now());
    }

    @Test
    void aGoodSignature_isValid_withTheProfileVersionAsIdentity_andRevocationAskedWithTheChainsHashes() {
        var r = verify(SIGNER.sign(MEDIA, DIGEST, 1234));

        assertThat(r.valid()).as(r.reason()).isTrue();
        assertThat(r.identity()).startsWith(PROFILE + "/");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).jobArn()).startsWith("arn:aws:signer:us-east-1:123456789012:/signing-jobs/");
        assertThat(asked.get(0).certificateHashes()).hasSize(2).allSatisfy(h -> assertThat(h).hasSize(192)); // two SHA-384 in hex
        assertThat(asked.get(0).certificateHashes().get(1)).isEqualTo(asked.get(0).certificateHashes().get(1).substring(0, 96).repeat(2));
    }

    @Test
    void aPayloadForAnotherDigest_orAnotherSize_orMediaType_isInvalid() {
        assertThat(verify(SIGNER.sign(MEDIA, "sha256:" + "b".repeat(64), 1234)).reason()).contains("it signs sha256:bbbb", "not " + DIGEST);
        assertThat(verify(SIGNER.sign(MEDIA, DIGEST, 999)).reason()).contains("signs 999 bytes");
        assertThat(verify(SIGNER.sign("application/vnd.oci.image.index.v1+json", DIGEST, 1234)).reason()).contains("media type");
    }

    @Test
    void anUntrustedRoot_isInvalid_evenWhenTheEnvelopeCarriesItsOwnRoot() {
        NotationSigner stranger = new NotationSigner(NotationSigner.chain("stranger"), PROFILE);
        var r = verify(stranger.sign(MEDIA, DIGEST, 1234));
        assertThat(r.valid()).isFalse();
        assertThat(r.reason()).contains("does not validate to a trusted root");
    }

    @Test
    void anExpiredOrNotYetValidLeaf_atTheSigningTime_isInvalid() {
        Instant now = Instant.now();
        for (var chain : List.of(NotationSigner.chain("old", now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), "secp384r1"),
                NotationSigner.chain("early", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "secp384r1"))) {
            NotationSigner s = new NotationSigner(chain, PROFILE);
            var r = new NotationVerifier(new TrustPolicy(List.of(chain.root()), List.of(PROFILE), List.of(), true), q -> List.of())
                    .verify(s.sign(MEDIA, DIGEST, 1234), TARGET, now);
            assertThat(r.valid()).isFalse();
            assertThat(r.reason()).contains("does not validate").containsAnyOf("expired", "not yet valid", "NotAfter", "NotBefore", "validity");
        }
    }

    @Test
    void anUnknownCriticalHeader_isInvalid_andSoIsOneListedButAbsent() {
        Map<String, Object> h = header();
        h.put("crit", List.of("io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime", "com.example.mustUnderstand"));
        h.put("com.example.mustUnderstand", "x");
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason()).contains("'com.example.mustUnderstand' is not understood");

        Map<String, Object> absent = header();
        absent.remove("com.amazonaws.signer.signingJob");
        assertThat(verify(signed(absent, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason()).contains("listed but absent");
    }

    @Test
    void anAlgorithmThatDoesNotMatchTheKey_orNone_orHmac_isInvalid() {
        Map<String, Object> h = header();
        h.put("alg", "ES256"); // the leaf is P-384
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason()).contains("does not match the leaf's key (ES384)");
        for (String alg : List.of("none", "HS256", "RS256")) {
            Map<String, Object> n = header();
            n.put("alg", alg);
            assertThat(verify(signed(n, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason()).contains("'" + alg + "' is not allowed");
        }
    }

    @Test
    void aTamperedPayload_doesNotVerify() throws Exception {
        byte[] good = SIGNER.sign(MEDIA, DIGEST, 1234);
        var env = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(good);
        // the same claims plus one field: still naming the right digest, but not the bytes that were signed
        env.put("payload", com.nimbusds.jose.util.Base64URL.encode(("{\"targetArtifact\":{\"mediaType\":\"" + MEDIA + "\",\"digest\":\"" + DIGEST
                + "\",\"size\":1234},\"x\":1}").getBytes(StandardCharsets.UTF_8)).toString());
        var r = verify(env.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.reason()).contains("does not verify");
    }

    @Test
    void anIdentityNotTrusted_isInvalid_andASubjectIdentityTrustsAPlainNotationCertificate() {
        var r = verifier(List.of("arn:aws:signer:us-east-1:123456789012:/signing-profiles/someoneelse"), q -> List.of())
                .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(r.reason()).contains("which signingIdentities does not trust");
        // a profile name that only starts the same does not match
        assertThat(verifier(List.of(PROFILE.substring(0, PROFILE.length() - 3)), q -> List.of()).verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now())
                .valid()).isFalse();

        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("alg", "ES384");
        plain.put("cty", NotationVerifier.PAYLOAD_TYPE);
        plain.put("crit", List.of("io.cncf.notary.signingScheme"));
        plain.put("io.cncf.notary.signingScheme", "notary.x509");
        plain.put("io.cncf.notary.signingTime", Instant.now().toString());
        byte[] env = signed(plain, NotationSigner.payload(MEDIA, DIGEST, 1234));
        String subject = "x509.subject:" + SIGNER.chain().certificates().get(0).getSubjectX500Principal().getName();
        var bySubject = verifier(List.of(subject), q -> List.of()).verify(env, TARGET, Instant.now());
        assertThat(bySubject.valid()).as(bySubject.reason()).isTrue();
        assertThat(bySubject.identity()).isEqualTo(subject).contains("CN=qm-test");
    }

    @Test
    void aRevokedSignature_isInvalid_andAnUnreadableRevocationStatusFailsClosed() {
        var revoked = verifier(List.of(PROFILE), q -> List.of(q.jobArn())).verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(revoked.reason()).startsWith("revoked: arn:aws:signer:");
        var unknown = verifier(List.of(PROFILE), q -> {
            throw new IllegalStateException("signer unreachable");
        }).verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(unknown.reason()).contains("fails closed", "signer unreachable");
        var skipped = new NotationVerifier(new TrustPolicy(List.of(SIGNER.chain().root()), List.of(PROFILE), List.of(), false), q -> {
            throw new IllegalStateException("never asked");
        }).verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(skipped.valid()).isTrue();
    }

    @Test
    void anExpiredSignature_andGarbage_areInvalidWithAReason() {
        Map<String, Object> h = header();
        h.put("io.cncf.notary.expiry", Instant.now().minusSeconds(60).toString());
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason()).contains("expired at");
        assertThat(verify("not json".getBytes(StandardCharsets.UTF_8)).reason()).contains("not JSON");
        assertThat(verify("{\"payload\":\"e30\",\"protected\":\"!!\",\"signature\":\"x\"}".getBytes(StandardCharsets.UTF_8)).valid()).isFalse();
    }
}
