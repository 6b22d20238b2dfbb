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

/**
 * The Notary Project checks, each on an envelope built to fail it (chains generated here, offline).
 */
@SuppressWarnings("unchecked")
class NotationVerifierTest {
    static final String PROFILE =
            "arn:aws:signer:us-east-1:123456789012:/signing-profiles/quartermaster";
    static final String MEDIA = "application/vnd.oci.image.manifest.v1+json";
    static final String DIGEST = "sha256:" + "a".repeat(64);
    static final SignatureSource.Target TARGET = new SignatureSource.Target(MEDIA, DIGEST, 1234);
    static final NotationSigner SIGNER =
            new NotationSigner(NotationSigner.chain("qm-test"), PROFILE);

    /** The organisation's own CA (roots for x509.subject identities) and a leaf of it. */
    static final NotationSigner.Chain X509_CA =
            NotationSigner.chainUnder("Example Corp code signing CA", "build-server");

    static final String X509_SUBJECT =
            "x509.subject:" + X509_CA.certificates().get(0).getSubjectX500Principal().getName();
    final List<RevocationCheck.Query> asked = new ArrayList<>();

    NotationVerifier verifier(List<String> identities, RevocationCheck revocation) {
        return new NotationVerifier(
                new TrustPolicy(
                        List.of(SIGNER.chain().root()),
                        List.of(X509_CA.root()),
                        identities,
                        List.of("*"),
                        true),
                revocation);
    }

    NotationVerifier verifier() {
        return verifier(
                List.of(PROFILE),
                q -> {
                    asked.add(q);
                    return List.of();
                });
    }

    byte[] signed(Map<String, Object> header, Object payload) {
        return NotationSigner.envelope(
                header, payload, SIGNER.chain().leafKey(), SIGNER.chain().certificates());
    }

    Map<String, Object> header() {
        return new LinkedHashMap<>(SIGNER.header(Instant.now()));
    }

    NotationVerifier.Result verify(byte[] envelope) {
        return verifier().verify(envelope, TARGET, Instant.now());
    }

    @Test
    void
            aGoodSignature_isValid_withTheProfileVersionAsIdentity_andRevocationAskedWithTheChainsHashes() {
        var r = verify(SIGNER.sign(MEDIA, DIGEST, 1234));

        assertThat(r.valid()).as(r.reason()).isTrue();
        assertThat(r.identity()).startsWith(PROFILE + "/");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).jobArn())
                .startsWith("arn:aws:signer:us-east-1:123456789012:/signing-jobs/");
        assertThat(asked.get(0).certificateHashes())
                .hasSize(2)
                .allSatisfy(h -> assertThat(h).hasSize(192)); // two SHA-384 in hex
        assertThat(asked.get(0).certificateHashes().get(1))
                .isEqualTo(asked.get(0).certificateHashes().get(1).substring(0, 96).repeat(2));
    }

    @Test
    void aPayloadForAnotherDigest_orAnotherSize_orMediaType_isInvalid() {
        assertThat(verify(SIGNER.sign(MEDIA, "sha256:" + "b".repeat(64), 1234)).reason())
                .contains("it signs sha256:bbbb", "not " + DIGEST);
        assertThat(verify(SIGNER.sign(MEDIA, DIGEST, 999)).reason()).contains("signs 999 bytes");
        assertThat(
                        verify(SIGNER.sign("application/vnd.oci.image.index.v1+json", DIGEST, 1234))
                                .reason())
                .contains("media type");
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
        for (var chain :
                List.of(
                        NotationSigner.chain(
                                "old",
                                now.minus(Duration.ofDays(30)),
                                now.minus(Duration.ofDays(1)),
                                "secp384r1"),
                        NotationSigner.chain(
                                "early",
                                now.plus(Duration.ofDays(1)),
                                now.plus(Duration.ofDays(30)),
                                "secp384r1"))) {
            NotationSigner s = new NotationSigner(chain, PROFILE);
            var r =
                    new NotationVerifier(
                                    TrustPolicy.awsSigner(
                                            List.of(chain.root()),
                                            List.of(PROFILE),
                                            List.of(),
                                            true),
                                    q -> List.of())
                            .verify(s.sign(MEDIA, DIGEST, 1234), TARGET, now);
            assertThat(r.valid()).isFalse();
            assertThat(r.reason())
                    .contains("does not validate")
                    .containsAnyOf("expired", "not yet valid", "NotAfter", "NotBefore", "validity");
        }
    }

    @Test
    void anUnknownCriticalHeader_isInvalid_andSoIsOneListedButAbsent() {
        Map<String, Object> h = header();
        h.put(
                "crit",
                List.of(
                        "io.cncf.notary.signingScheme",
                        "io.cncf.notary.authenticSigningTime",
                        "com.example.mustUnderstand"));
        h.put("com.example.mustUnderstand", "x");
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("'com.example.mustUnderstand' is not understood");

        Map<String, Object> absent = header();
        absent.remove("com.amazonaws.signer.signingJob");
        assertThat(verify(signed(absent, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("listed but absent");
    }

    @Test
    void anAlgorithmThatDoesNotMatchTheKey_orNone_orHmac_isInvalid() {
        Map<String, Object> h = header();
        h.put("alg", "ES256"); // the leaf is P-384
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("does not match the leaf's key (ES384)");
        for (String alg : List.of("none", "HS256", "RS256")) {
            Map<String, Object> n = header();
            n.put("alg", alg);
            assertThat(verify(signed(n, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                    .contains("'" + alg + "' is not allowed");
        }
    }

    @Test
    void aTamperedPayload_doesNotVerify() throws Exception {
        byte[] good = SIGNER.sign(MEDIA, DIGEST, 1234);
        var env =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(good);
        // the same claims plus one field: still naming the right digest, but not the bytes that
        // were signed
        env.put(
                "payload",
                com.nimbusds.jose.util.Base64URL.encode(
                                ("{\"targetArtifact\":{\"mediaType\":\""
                                                + MEDIA
                                                + "\",\"digest\":\""
                                                + DIGEST
                                                + "\",\"size\":1234},\"x\":1}")
                                        .getBytes(StandardCharsets.UTF_8))
                        .toString());
        var r = verify(env.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(r.valid()).isFalse();
        assertThat(r.reason()).contains("does not verify");
    }

    @Test
    void anIdentityNotTrusted_isInvalid_andASubjectIdentityTrustsAPlainNotationCertificate() {
        var r =
                verifier(
                                List.of(
                                        "arn:aws:signer:us-east-1:123456789012:/signing-profiles/someoneelse"),
                                q -> List.of())
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(r.reason()).contains("which signingIdentities does not trust");
        // a profile name that only starts the same does not match
        assertThat(
                        verifier(
                                        List.of(PROFILE.substring(0, PROFILE.length() - 3)),
                                        q -> List.of())
                                .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now())
                                .valid())
                .isFalse();

        byte[] env =
                NotationSigner.envelope(
                        NotationSigner.notationHeader(Instant.now()),
                        NotationSigner.payload(MEDIA, DIGEST, 1234),
                        X509_CA.leafKey(),
                        X509_CA.certificates());
        var bySubject =
                verifier(List.of(X509_SUBJECT), q -> List.of()).verify(env, TARGET, Instant.now());
        assertThat(bySubject.valid()).as(bySubject.reason()).isTrue();
        assertThat(bySubject.identity()).isEqualTo(X509_SUBJECT).contains("CN=build-server");
    }

    @Test
    void aRevokedSignature_isInvalid_andAnUnreadableRevocationStatusFailsClosed() {
        var revoked =
                verifier(List.of(PROFILE), q -> List.of(q.jobArn()))
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(revoked.reason()).startsWith("revoked: arn:aws:signer:");
        var unknown =
                verifier(
                                List.of(PROFILE),
                                q -> {
                                    throw new IllegalStateException("signer unreachable");
                                })
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(unknown.reason()).contains("fails closed", "signer unreachable");
        var skipped =
                new NotationVerifier(
                                TrustPolicy.awsSigner(
                                        List.of(SIGNER.chain().root()),
                                        List.of(PROFILE),
                                        List.of(),
                                        false),
                                q -> {
                                    throw new IllegalStateException("never asked");
                                })
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(skipped.valid()).isTrue();
    }

    @Test
    void anExpiredSignature_andGarbage_areInvalidWithAReason() {
        Map<String, Object> h = header();
        h.put("io.cncf.notary.expiry", Instant.now().minusSeconds(60).toString());
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("expired at");
        assertThat(verify("not json".getBytes(StandardCharsets.UTF_8)).reason())
                .contains("not JSON");
        assertThat(
                        verify(
                                        "{\"payload\":\"e30\",\"protected\":\"!!\",\"signature\":\"x\"}"
                                                .getBytes(StandardCharsets.UTF_8))
                                .valid())
                .isFalse();
    }

    // --- AWS Signer's signatures as `notation inspect` shows them, and the verification plugin
    // attributes ---

    @Test
    void anAwsSignerShapedSignature_withItsCriticalVerificationPlugin_isValid() throws Exception {
        byte[] env = SIGNER.sign(MEDIA, DIGEST, 1234);
        var header =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(
                                com.nimbusds.jose.util.Base64URL.from(
                                                new com.fasterxml.jackson.databind.ObjectMapper()
                                                        .readTree(env)
                                                        .path("protected")
                                                        .asText())
                                        .decode());
        assertThat(header.path("io.cncf.notary.verificationPlugin").asText())
                .isEqualTo("com.amazonaws.signer.notation.plugin");
        assertThat(header.path("crit").toString())
                .contains(
                        "io.cncf.notary.verificationPlugin",
                        "io.cncf.notary.expiry",
                        "com.amazonaws.signer.signingProfileVersion",
                        "com.amazonaws.signer.signingJob");

        var r = verify(env);
        assertThat(r.valid()).as(r.reason()).isTrue();
    }

    @Test
    void anotherVerificationPlugin_isInvalid_namingThePlugin() {
        Map<String, Object> h = header();
        h.put("io.cncf.notary.verificationPlugin", "com.example.nv2plugin");
        var r = verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234)));
        assertThat(r.valid()).isFalse();
        assertThat(r.reason())
                .contains(
                        "requires the verification plugin 'com.example.nv2plugin'",
                        "only com.amazonaws.signer.notation.plugin");
    }

    @Test
    void theVerificationPlugin_presentButNotCritical_isInvalid_asNotationRefusesIt() {
        Map<String, Object> h = header();
        List<String> crit = new ArrayList<>((List<String>) h.get("crit"));
        crit.remove("io.cncf.notary.verificationPlugin");
        h.put("crit", crit);
        assertThat(verify(signed(h, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("'io.cncf.notary.verificationPlugin' is present but not critical");
    }

    @Test
    void
            theVerificationPluginMinVersion_isUnderstood_andAVersionAboveWhatTheGateMirrorsIsRefused() {
        Map<String, Object> ok = withMinVersion("1.0.298");
        assertThat(verify(signed(ok, NotationSigner.payload(MEDIA, DIGEST, 1234))).valid())
                .isTrue();

        assertThat(
                        verify(
                                        signed(
                                                withMinVersion("2.0.0"),
                                                NotationSigner.payload(MEDIA, DIGEST, 1234)))
                                .reason())
                .contains(
                        "requires com.amazonaws.signer.notation.plugin 2.0.0 or newer",
                        "mirrors version " + NotationVerifier.AWS_SIGNER_PLUGIN_VERSION);
        assertThat(
                        verify(
                                        signed(
                                                withMinVersion("one"),
                                                NotationSigner.payload(MEDIA, DIGEST, 1234)))
                                .reason())
                .contains("not a SemVer version");

        Map<String, Object> noPlugin = withMinVersion("1.0.0");
        noPlugin.remove("io.cncf.notary.verificationPlugin");
        List<String> crit = new ArrayList<>((List<String>) noPlugin.get("crit"));
        crit.remove("io.cncf.notary.verificationPlugin");
        noPlugin.put("crit", crit);
        assertThat(verify(signed(noPlugin, NotationSigner.payload(MEDIA, DIGEST, 1234))).reason())
                .contains("a minimum version of no plugin");
    }

    @Test
    void versions_compareAsSemVer() {
        assertThat(NotationVerifier.compareVersions("1.0.350", "1.0.350")).isZero();
        assertThat(NotationVerifier.compareVersions("1.0.1000", "1.0.350")).isPositive();
        assertThat(NotationVerifier.compareVersions("1.0.350-rc.1", "1.0.350")).isNegative();
    }

    private Map<String, Object> withMinVersion(String version) {
        Map<String, Object> h = header();
        List<String> crit = new ArrayList<>((List<String>) h.get("crit"));
        crit.add("io.cncf.notary.verificationPluginMinVersion");
        h.put("crit", crit);
        h.put("io.cncf.notary.verificationPluginMinVersion", version);
        return h;
    }

    // --- identity tied to the chain (issue 32, items 1, 8, 12) ---

    /** A header AWS Signer would write, signed by the organisation's own CA's leaf. */
    private byte[] byTheX509Leaf(Map<String, Object> header) {
        return NotationSigner.envelope(
                header,
                NotationSigner.payload(MEDIA, DIGEST, 1234),
                X509_CA.leafKey(),
                X509_CA.certificates());
    }

    @Test
    void aLeafOfTheX509Ca_writingTheProductionProfileArn_isInvalid_underEitherScheme() {
        NotationVerifier both = verifier(List.of(PROFILE, X509_SUBJECT), q -> List.of());

        var authority = both.verify(byTheX509Leaf(header()), TARGET, Instant.now());
        assertThat(authority.valid()).isFalse();
        assertThat(authority.reason())
                .contains(
                        "does not validate to a trusted root of signingTrustRoots (AWS Signer roots");

        Map<String, Object> plain = NotationSigner.notationHeader(Instant.now());
        plain = new LinkedHashMap<>(plain);
        plain.put("com.amazonaws.signer.signingProfileVersion", PROFILE + "/a1B2c3D4e5");
        plain.put(
                "crit",
                List.of(
                        "io.cncf.notary.signingScheme",
                        "com.amazonaws.signer.signingProfileVersion"));
        var x509 = both.verify(byTheX509Leaf(plain), TARGET, Instant.now());
        assertThat(x509.valid()).isFalse();
        assertThat(x509.reason()).contains("AWS Signer attributes in a notary.x509 signature");
    }

    @Test
    void
            theSigningAuthorityScheme_throughAnX509Root_isInvalid_soAnExpiredLeafCannotBackdateItsSignature() {
        Instant now = Instant.now();
        var expired =
                NotationSigner.chain(
                        "old-build-server",
                        now.minus(Duration.ofDays(60)),
                        now.minus(Duration.ofDays(1)),
                        "secp384r1");
        // an expired x509.subject leaf claiming an authentic signing time from when it was valid
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", "ES384");
        h.put("cty", NotationSigner.PAYLOAD_TYPE);
        h.put(
                "crit",
                List.of("io.cncf.notary.signingScheme", "io.cncf.notary.authenticSigningTime"));
        h.put("io.cncf.notary.signingScheme", "notary.x509.signingAuthority");
        h.put("io.cncf.notary.authenticSigningTime", now.minus(Duration.ofDays(30)).toString());
        byte[] env =
                NotationSigner.envelope(
                        h,
                        NotationSigner.payload(MEDIA, DIGEST, 1234),
                        expired.leafKey(),
                        expired.certificates());
        String subject =
                "x509.subject:" + expired.certificates().get(0).getSubjectX500Principal().getName();
        var r =
                new NotationVerifier(
                                new TrustPolicy(
                                        List.of(SIGNER.chain().root()),
                                        List.of(expired.root()),
                                        List.of(subject),
                                        List.of(),
                                        true),
                                q -> List.of())
                        .verify(env, TARGET, now);
        assertThat(r.valid()).isFalse();
        assertThat(r.reason())
                .contains(
                        "notary.x509.signingAuthority signature without a critical 'com.amazonaws.signer.signingProfileVersion'");
    }

    @Test
    void aPlainNotationSignature_chainingToTheAwsSignerRoot_isInvalid_evenForATrustedSubject() {
        byte[] env =
                signed(
                        NotationSigner.notationHeader(Instant.now()),
                        NotationSigner.payload(MEDIA, DIGEST, 1234));
        String subject =
                "x509.subject:"
                        + SIGNER.chain().certificates().get(0).getSubjectX500Principal().getName();
        var r = verifier(List.of(subject), q -> List.of()).verify(env, TARGET, Instant.now());
        assertThat(r.valid()).isFalse();
        assertThat(r.reason())
                .contains("does not validate to a trusted root of signingX509TrustRoots");
    }

    @Test
    void aDifferentlyCasedProfileArn_isNotTrusted() {
        String upper =
                PROFILE.replace(
                        "/signing-profiles/quartermaster", "/signing-profiles/QUARTERMASTER");
        var r =
                verifier(List.of(upper), q -> List.of())
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(r.valid()).isFalse();
        assertThat(r.reason()).contains("which signingIdentities does not trust");
        var version =
                verifier(List.of((PROFILE + "/a1B2c3D4e5").replace("a1B2", "A1b2")), q -> List.of())
                        .verify(SIGNER.sign(MEDIA, DIGEST, 1234), TARGET, Instant.now());
        assertThat(version.valid()).isFalse();
    }

    @Test
    void oneRootInBothLists_isRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new TrustPolicy(
                                        List.of(X509_CA.root()),
                                        List.of(X509_CA.root()),
                                        List.of(),
                                        List.of(),
                                        true))
                .hasMessageContaining(
                        "both an AWS Signer root (signingTrustRoots) and a root for x509.subject identities");
    }
}
