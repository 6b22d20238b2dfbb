package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import dev.quartermaster.common.Text;

import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies one Notation JWS envelope by the Notary Project signature specification, as AWS Signer's
 * Notation plugin completes it: the envelope's shape, the algorithm (ECDSA or RSASSA-PSS only,
 * matching the leaf key), every critical header understood (the verification plugin attributes
 * included: AWS Signer's plugin only, whose checks run here), the signing scheme and its time, the
 * x5c chain by the JDK's PKIX at that time to a pinned root of the scheme's own kind
 * (signingAuthority: AWS Signer's roots; x509: the roots of x509.subject identities, as Notation
 * keeps its signingAuthority and CA trust stores apart), the leaf's key usage, the JWS signature
 * (Nimbus JOSE+JWT), the expiry, the payload naming exactly the target (digest, media type, size),
 * the identity (an AWS Signer profile only with the signingAuthority scheme, an x509 subject only
 * with x509), and revocation through AWS Signer. Any failure is a reason, never an exception: the
 * caller records it.
 */
public final class NotationVerifier {
    public static final String PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";
    static final String SCHEME = "io.cncf.notary.signingScheme";
    static final String SIGNING_TIME = "io.cncf.notary.signingTime";
    static final String AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime";
    static final String EXPIRY = "io.cncf.notary.expiry";
    static final String PROFILE_VERSION = "com.amazonaws.signer.signingProfileVersion";
    static final String JOB = "com.amazonaws.signer.signingJob";
    static final String PROFILE_ALIAS = "com.amazonaws.signer.signingProfileAlias";
    static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";
    static final String VERIFICATION_PLUGIN_MIN_VERSION =
            "io.cncf.notary.verificationPluginMinVersion";
    static final String SIGNING_AUTHORITY = "notary.x509.signingAuthority";
    static final String X509 = "notary.x509";

    /**
     * AWS Signer's Notation plugin (aws-signer-notation-plugin, plugin/plugin.go): the one
     * verification plugin whose checks run here.
     */
    public static final String AWS_SIGNER_PLUGIN = "com.amazonaws.signer.notation.plugin";

    /**
     * The plugin version whose verifier (internal/verifier/verifier.go at v1.0.350) these checks
     * mirror.
     */
    static final String AWS_SIGNER_PLUGIN_VERSION = "1.0.350";

    static final java.util.regex.Pattern SEMVER =
            java.util.regex.Pattern.compile(
                    "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    /**
     * The critical headers this verifier acts on; any other in {@code crit} fails the signature.
     */
    public static final Set<String> UNDERSTOOD =
            Set.of(
                    SCHEME,
                    SIGNING_TIME,
                    AUTHENTIC_SIGNING_TIME,
                    EXPIRY,
                    PROFILE_VERSION,
                    JOB,
                    PROFILE_ALIAS,
                    VERIFICATION_PLUGIN,
                    VERIFICATION_PLUGIN_MIN_VERSION);

    static final Set<String> ALGORITHMS =
            Set.of("ES256", "ES384", "ES512", "PS256", "PS384", "PS512");
    static final int MAX_CHAIN = 10;
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * valid: every check held; identity: who signed (profile version ARN, or x509.subject:DN);
     * reason when not valid.
     */
    public record Result(boolean valid, String identity, String reason, Instant signedAt) {
        static Result invalid(String reason) {
            return new Result(false, null, reason, null);
        }
    }

    private final TrustPolicy policy;
    private final RevocationCheck revocation;

    public NotationVerifier(TrustPolicy policy, RevocationCheck revocation) {
        this.policy = policy;
        this.revocation = revocation;
    }

    public Result verify(byte[] envelope, SignatureSource.Target target, Instant now) {
        try {
            return check(envelope, target, now);
        } catch (Invalid e) {
            return Result.invalid(e.getMessage());
        } catch (
                RuntimeException
                        e) { // a malformed field of an untrusted envelope: a reason, bounded
            return Result.invalid(
                    "unreadable envelope: " + Text.oneLine(String.valueOf(e.getMessage()), 200));
        }
    }

    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private Result check(byte[] envelope, SignatureSource.Target target, Instant now)
            throws Invalid {
        JsonNode env = json(envelope, "the envelope");
        String protectedB64 = text(env, "protected");
        JsonNode header = json(new Base64URL(protectedB64).decode(), "the protected header");
        String alg = header.path("alg").asText("");
        if (!ALGORITHMS.contains(alg)) {
            throw new Invalid(
                    "algorithm '"
                            + Text.oneLine(alg, 20)
                            + "' is not allowed (ES256/384/512 or PS256/384/512)");
        }
        String payloadB64 = text(env, "payload");
        String signatureB64 = text(env, "signature");
        if (!PAYLOAD_TYPE.equals(header.path("cty").asText())) {
            throw new Invalid(
                    "content type '"
                            + Text.oneLine(header.path("cty").asText(), 80)
                            + "' is not Notation's payload");
        }
        Set<String> crit = critical(header);
        String scheme = header.path(SCHEME).asText();
        boolean authority = scheme.equals(SIGNING_AUTHORITY);
        if (!authority && !scheme.equals(X509)) {
            throw new Invalid(
                    "signing scheme '"
                            + Text.oneLine(scheme, 60)
                            + "' is not notary.x509 or notary.x509.signingAuthority");
        }
        verificationPlugin(header, crit, authority);
        String profileVersion = awsSignerIdentity(header, crit, authority);
        Instant signedAt;
        Instant chainTime;
        if (authority) {
            if (!crit.contains(AUTHENTIC_SIGNING_TIME)) {
                throw new Invalid(
                        "signingAuthority scheme without a critical authentic signing time");
            }
            signedAt = time(header, AUTHENTIC_SIGNING_TIME);
            chainTime = signedAt; // the signing authority vouches for the time: the chain must have
            // been valid then
        } else {
            signedAt = time(header, SIGNING_TIME);
            chainTime = now; // a self-declared time proves nothing: the chain must be valid now
        }
        if (signedAt.isAfter(now.plusSeconds(300))) {
            throw new Invalid("signed in the future (" + signedAt + ")");
        }

        List<X509Certificate> chain = chain(env.path("header").path("x5c"));
        X509Certificate leaf = chain.get(0);
        String expected = algorithmFor(leaf.getPublicKey());
        if (!alg.equals(expected)) {
            throw new Invalid(
                    "algorithm " + alg + " does not match the leaf's key (" + expected + ")");
        }
        leafUsage(leaf);
        // the scheme picks the roots, as Notation's trust stores do (signingAuthority: AWS
        // Signer's; x509: the x509 CAs):
        // an identity is believed only through a chain ending at a root configured for that kind of
        // identity
        pkix(chain, chainTime, authority);

        JWSObject jws;
        try {
            jws =
                    new JWSObject(
                            new Base64URL(protectedB64),
                            new Payload(new Base64URL(payloadB64)),
                            new Base64URL(signatureB64));
            JWSVerifier v =
                    leaf.getPublicKey() instanceof ECPublicKey ec
                            ? new ECDSAVerifier(ec, crit)
                            : new RSASSAVerifier((RSAPublicKey) leaf.getPublicKey(), crit);
            if (!jws.verify(v)) {
                throw new Invalid(
                        "the signature does not verify (payload or header changed, or another key signed)");
            }
        } catch (java.text.ParseException | com.nimbusds.jose.JOSEException e) {
            throw new Invalid(
                    "the JWS does not parse or verify: " + Text.oneLine(e.getMessage(), 160));
        }

        if (header.has(EXPIRY) && now.isAfter(time(header, EXPIRY))) {
            throw new Invalid("the signature expired at " + time(header, EXPIRY));
        }
        JsonNode artifact =
                json(new Base64URL(payloadB64).decode(), "the payload").path("targetArtifact");
        if (!target.digest().equals(artifact.path("digest").asText())) {
            throw new Invalid(
                    "it signs "
                            + Text.oneLine(artifact.path("digest").asText(), 80)
                            + ", not "
                            + target.digest());
        }
        if (!target.mediaType().equals(artifact.path("mediaType").asText())) {
            throw new Invalid(
                    "it signs media type "
                            + Text.oneLine(artifact.path("mediaType").asText(), 80)
                            + ", the image is "
                            + target.mediaType());
        }
        if (artifact.path("size").asLong(-1) != target.size()) {
            throw new Invalid(
                    "it signs "
                            + artifact.path("size").asLong(-1)
                            + " bytes, the manifest has "
                            + target.size());
        }

        String identity =
                authority
                        ? profileVersion
                        : TrustPolicy.SUBJECT_PREFIX + leaf.getSubjectX500Principal().getName();
        if (!(authority ? trustedProfile(profileVersion) : trustedSubject(leaf))) {
            throw new Invalid(
                    "signed by "
                            + Text.oneLine(identity, 200)
                            + ", which signingIdentities does not trust");
        }
        if (authority && policy.revocationEnforced()) {
            List<String> revoked;
            try {
                revoked =
                        revocation.revoked(
                                new RevocationCheck.Query(
                                        profileVersion,
                                        header.path(JOB).asText(""),
                                        certificateHashes(chain),
                                        signedAt));
            } catch (RuntimeException e) {
                throw new Invalid(
                        "the revocation status could not be read and signatureRevocationCheck=enforce fails closed: "
                                + Text.oneLine(String.valueOf(e.getMessage()), 160));
            }
            if (!revoked.isEmpty()) {
                throw new Invalid("revoked: " + Text.oneLine(String.join(", ", revoked), 300));
            }
        }
        return new Result(true, identity, null, signedAt);
    }

    /**
     * The critical headers, each understood and present; the scheme among them; the expiry critical
     * when present.
     */
    private static Set<String> critical(JsonNode header) {
        Set<String> crit = new HashSet<>();
        if (!header.path("crit").isArray() || header.path("crit").isEmpty()) {
            throw new Invalid(
                    "no critical headers (crit): a Notation signature names its signing scheme there");
        }
        for (JsonNode c : header.path("crit")) {
            String name = c.asText();
            if (!UNDERSTOOD.contains(name)) {
                throw new Invalid(
                        "critical header '" + Text.oneLine(name, 80) + "' is not understood");
            }
            if (!header.has(name)) {
                throw new Invalid("critical header '" + name + "' is listed but absent");
            }
            crit.add(name);
        }
        if (!crit.contains(SCHEME)) {
            throw new Invalid("the signing scheme is not a critical header");
        }
        for (String mustBeCritical :
                List.of(
                        EXPIRY,
                        VERIFICATION_PLUGIN,
                        VERIFICATION_PLUGIN_MIN_VERSION,
                        PROFILE_VERSION,
                        JOB)) {
            if (header.has(mustBeCritical) && !crit.contains(mustBeCritical)) {
                throw new Invalid(
                        "'"
                                + mustBeCritical
                                + "' is present but not critical (the Notary Project specification and AWS Signer mark it"
                                + " critical; Notation refuses such a signature)");
            }
        }
        return crit;
    }

    /**
     * The Notation plugin the signature asks for (signature specification, "Extended attributes for
     * Notation plugins"; notation-go verifier/helpers.go): absent, or AWS Signer's, whose checks
     * (trusted identity, revocation) this verifier performs itself; any other plugin's logic cannot
     * run here, so its signatures fail. A minimum version is SemVer and at most the plugin version
     * whose logic this verifier mirrors.
     */
    private static void verificationPlugin(JsonNode header, Set<String> crit, boolean authority) {
        if (!header.has(VERIFICATION_PLUGIN)) {
            if (header.has(VERIFICATION_PLUGIN_MIN_VERSION)) {
                throw new Invalid(
                        "'"
                                + VERIFICATION_PLUGIN_MIN_VERSION
                                + "' without '"
                                + VERIFICATION_PLUGIN
                                + "': a minimum version of no plugin");
            }
            return;
        }
        JsonNode plugin = header.path(VERIFICATION_PLUGIN);
        if (!plugin.isTextual() || plugin.asText().isBlank()) {
            throw new Invalid("'" + VERIFICATION_PLUGIN + "' is not a plugin name");
        }
        if (!AWS_SIGNER_PLUGIN.equals(plugin.asText())) {
            throw new Invalid(
                    "it requires the verification plugin '"
                            + Text.oneLine(plugin.asText(), 80)
                            + "', which the gate cannot run: only "
                            + AWS_SIGNER_PLUGIN
                            + " (AWS Signer's, whose checks the gate performs itself) is accepted");
        }
        if (!authority) {
            throw new Invalid(
                    AWS_SIGNER_PLUGIN
                            + " verifies only notary.x509.signingAuthority signatures (AWS Signer's), not notary.x509 ones");
        }
        if (header.has(VERIFICATION_PLUGIN_MIN_VERSION)) {
            String min = header.path(VERIFICATION_PLUGIN_MIN_VERSION).asText("");
            if (!SEMVER.matcher(min).matches()) {
                throw new Invalid(
                        "'"
                                + VERIFICATION_PLUGIN_MIN_VERSION
                                + "' is not a SemVer version: '"
                                + Text.oneLine(min, 40)
                                + "'");
            }
            if (compareVersions(min, AWS_SIGNER_PLUGIN_VERSION) > 0) {
                throw new Invalid(
                        "it requires "
                                + AWS_SIGNER_PLUGIN
                                + " "
                                + Text.oneLine(min, 40)
                                + " or newer; the gate mirrors version "
                                + AWS_SIGNER_PLUGIN_VERSION
                                + "'s checks. Update Quartermaster's verifier to that version's checks before trusting it");
            }
        }
    }

    /**
     * The AWS Signer profile version that signed: only with the signingAuthority scheme, which AWS
     * Signer alone uses.
     */
    private static String awsSignerIdentity(JsonNode header, Set<String> crit, boolean authority) {
        if (!authority) {
            if (header.has(PROFILE_VERSION) || header.has(JOB) || header.has(PROFILE_ALIAS)) {
                throw new Invalid(
                        "AWS Signer attributes in a notary.x509 signature: AWS Signer signs with notary.x509.signingAuthority"
                                + " through its own roots, so this one's signer is not AWS Signer");
            }
            return "";
        }
        String profileVersion =
                header.path(PROFILE_VERSION).isTextual()
                        ? header.path(PROFILE_VERSION).asText()
                        : "";
        if (profileVersion.isEmpty() || !crit.contains(PROFILE_VERSION)) {
            throw new Invalid(
                    "a notary.x509.signingAuthority signature without a critical '"
                            + PROFILE_VERSION
                            + "': only AWS Signer's are accepted");
        }
        return profileVersion;
    }

    /** -1, 0, 1 as SemVer orders {@code a} and {@code b} (a pre-release before its release). */
    static int compareVersions(String a, String b) {
        java.util.regex.Matcher x = SEMVER.matcher(a);
        java.util.regex.Matcher y = SEMVER.matcher(b);
        if (!x.matches() || !y.matches()) {
            throw new IllegalArgumentException("not SemVer: " + a + ", " + b);
        }
        for (int i = 1; i <= 3; i++) {
            int c =
                    new java.math.BigInteger(x.group(i))
                            .compareTo(new java.math.BigInteger(y.group(i)));
            if (c != 0) {
                return c;
            }
        }
        boolean preA = x.group(4) != null;
        boolean preB = y.group(4) != null;
        return preA == preB ? 0 : preA ? -1 : 1;
    }

    /**
     * A profile ARN ({@code …:/signing-profiles/NAME}) trusts each of its versions ({@code
     * NAME/VERSION}); a version ARN only itself. Compared exactly: ARNs are case-sensitive, and a
     * differently-cased ARN names another profile.
     */
    private boolean trustedProfile(String profileVersion) {
        for (String id : policy.identities()) {
            if (id.startsWith(TrustPolicy.SUBJECT_PREFIX)) {
                continue;
            }
            if (profileVersion.equals(id)) {
                return true;
            }
            int slash = profileVersion.lastIndexOf('/');
            if (id.split("/", -1).length == 3
                    && slash > 0
                    && profileVersion.substring(0, slash).equals(id)) {
                return true;
            }
        }
        return false;
    }

    private boolean trustedSubject(X509Certificate leaf) {
        for (String id : policy.identities()) {
            if (id.startsWith(TrustPolicy.SUBJECT_PREFIX)
                    && new X500Principal(id.substring(TrustPolicy.SUBJECT_PREFIX.length()))
                            .equals(leaf.getSubjectX500Principal())) {
                return true;
            }
        }
        return false;
    }

    private static List<X509Certificate> chain(JsonNode x5c) {
        if (!x5c.isArray() || x5c.isEmpty()) {
            throw new Invalid("no certificate chain (x5c)");
        }
        if (x5c.size() > MAX_CHAIN) {
            throw new Invalid(
                    "a chain of " + x5c.size() + " certificates (at most " + MAX_CHAIN + ")");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (JsonNode c : x5c) {
                out.add(
                        (X509Certificate)
                                f.generateCertificate(
                                        new ByteArrayInputStream(
                                                Base64.getDecoder().decode(c.asText()))));
            }
        } catch (Exception e) {
            throw new Invalid(
                    "a certificate of the chain does not parse: "
                            + Text.oneLine(e.getMessage(), 120));
        }
        return out;
    }

    static String algorithmFor(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return switch (bits) {
                case 256 -> "ES256";
                case 384 -> "ES384";
                case 521 -> "ES512";
                default ->
                        throw new Invalid(
                                "an EC key of " + bits + " bits (P-256, P-384 or P-521 only)");
            };
        }
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return switch (bits) {
                case 2048 -> "PS256";
                case 3072 -> "PS384";
                case 4096 -> "PS512";
                default ->
                        throw new Invalid(
                                "an RSA key of " + bits + " bits (2048, 3072 or 4096 only)");
            };
        }
        throw new Invalid("a " + key.getAlgorithm() + " key (EC or RSA only)");
    }

    private static void leafUsage(X509Certificate leaf) {
        if (leaf.getBasicConstraints() >= 0) {
            throw new Invalid("the signing certificate is a CA certificate");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || !usage[0]) {
            throw new Invalid("the signing certificate's key usage lacks digitalSignature");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CODE_SIGNING)) {
                throw new Invalid("the signing certificate's extended key usage lacks codeSigning");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new Invalid("the signing certificate's extended key usage does not parse");
        }
    }

    private void pkix(List<X509Certificate> chain, Instant at, boolean authority) {
        List<X509Certificate> roots = authority ? policy.signerRoots() : policy.x509Roots();
        String which =
                authority
                        ? "signingTrustRoots (AWS Signer roots, for notary.x509.signingAuthority signatures)"
                        : "signingX509TrustRoots (roots for x509.subject identities, for notary.x509 signatures)";
        if (roots.isEmpty()) {
            throw new Invalid("no roots are configured in " + which);
        }
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1
                && path.get(path.size() - 1)
                        .getSubjectX500Principal()
                        .equals(path.get(path.size() - 1).getIssuerX500Principal())) {
            path.remove(
                    path.size()
                            - 1); // the root travels in x5c; PKIX validates up to a pinned anchor,
            // never to a root the envelope brings
        }
        try {
            PKIXParameters params =
                    new PKIXParameters(
                            roots.stream()
                                    .map(r -> new TrustAnchor(r, null))
                                    .collect(Collectors.toSet()));
            params.setRevocationEnabled(false); // revocation: AWS Signer's, below
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX")
                    .validate(
                            CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw new Invalid(
                    "the certificate chain does not validate to a trusted root of "
                            + which
                            + " at "
                            + at
                            + ": "
                            + Text.oneLine(e.getMessage(), 200));
        } catch (Exception e) {
            throw new Invalid(
                    "the certificate chain could not be validated: "
                            + Text.oneLine(e.getMessage(), 200));
        }
    }

    /**
     * Per certificate, hex SHA-384 of its TBS part followed by its issuer's (the last one's twice),
     * as AWS Signer expects.
     */
    static List<String> certificateHashes(List<X509Certificate> chain) {
        List<String> hashes = new ArrayList<>();
        try {
            for (X509Certificate c : chain) {
                hashes.add(
                        HexFormat.of()
                                .formatHex(
                                        MessageDigest.getInstance("SHA-384")
                                                .digest(c.getTBSCertificate())));
            }
        } catch (Exception e) {
            throw new Invalid("hashing the chain failed: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hashes.size(); i++) {
            out.add(hashes.get(i) + hashes.get(Math.min(i + 1, hashes.size() - 1)));
        }
        return out;
    }

    private static Instant time(JsonNode header, String name) {
        try {
            return OffsetDateTime.parse(header.path(name).asText()).toInstant();
        } catch (RuntimeException e) {
            throw new Invalid(name + " is not an RFC 3339 time");
        }
    }

    private static String text(JsonNode env, String field) {
        JsonNode n = env.path(field);
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new Invalid("the envelope has no '" + field + "'");
        }
        return n.asText();
    }

    private static JsonNode json(byte[] bytes, String what) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new Invalid(what + " is not a JSON object");
            }
            return n;
        } catch (java.io.IOException e) {
            throw new Invalid(what + " is not JSON");
        }
    }
}
