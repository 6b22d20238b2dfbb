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
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies one Notation JWS envelope by the Notary Project signature specification, as AWS Signer's Notation plugin
 * completes it: the envelope's shape, the algorithm (ECDSA or RSASSA-PSS only, matching the leaf key), every critical
 * header understood, the signing scheme and its time, the x5c chain to a pinned root by the JDK's PKIX at that time,
 * the leaf's key usage, the JWS signature (Nimbus JOSE+JWT), the expiry, the payload naming exactly the target
 * (digest, media type, size), the identity, and revocation through AWS Signer. Any failure is a reason, never an
 * exception: the caller records it.
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
    /** The critical headers this verifier acts on; any other in {@code crit} fails the signature. */
    public static final Set<String> UNDERSTOOD = Set.of(SCHEME, SIGNING_TIME, AUTHENTIC_SIGNING_TIME, EXPIRY, PROFILE_VERSION, JOB, PROFILE_ALIAS);
    static final Set<String> ALGORITHMS = Set.of("ES256", "ES384", "ES512", "PS256", "PS384", "PS512");
    static final int MAX_CHAIN = 10;
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** valid: every check held; identity: who signed (profile version ARN, or x509.subject:DN); reason when not valid. */
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
        } catch (RuntimeException e) { // a malformed field of an untrusted envelope: a reason, bounded
            return Result.invalid("unreadable envelope: " + Text.oneLine(String.valueOf(e.getMessage()), 200));
        }
    }

    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private Result check(byte[] envelope, SignatureSource.Target target, Instant now) throws Invalid {
        JsonNode env = json(envelope, "the envelope");
        String protectedB64 = text(env, "protected");
        JsonNode header = json(new Base64URL(protectedB64).decode(), "the protected header");
        String alg = header.path("alg").asText("");
        if (!ALGORITHMS.contains(alg)) {
            throw new Invalid("algorithm '" + Text.oneLine(alg, 20) + "' is not allowed (ES256/384/512 or PS256/384/512)");
        }
        String payloadB64 = text(env, "payload");
        String signatureB64 = text(env, "signature");
        if (!PAYLOAD_TYPE.equals(header.path("cty").asText())) {
            throw new Invalid("content type '" + Text.oneLine(header.path("cty").asText(), 80) + "' is not Notation's payload");
        }
        Set<String> crit = new HashSet<>();
        if (!header.path("crit").isArray() || header.path("crit").isEmpty()) {
            throw new Invalid("no critical headers (crit): a Notation signature names its signing scheme there");
        }
        for (JsonNode c : header.path("crit")) {
            String name = c.asText();
            if (!UNDERSTOOD.contains(name)) {
                throw new Invalid("critical header '" + Text.oneLine(name, 80) + "' is not understood");
            }
            if (!header.has(name)) {
                throw new Invalid("critical header '" + name + "' is listed but absent");
            }
            crit.add(name);
        }
        if (!crit.contains(SCHEME)) {
            throw new Invalid("the signing scheme is not a critical header");
        }
        if (header.has(EXPIRY) && !crit.contains(EXPIRY)) {
            throw new Invalid("the expiry is not marked critical");
        }
        String scheme = header.path(SCHEME).asText();
        Instant signedAt;
        Instant chainTime;
        if (scheme.equals("notary.x509.signingAuthority")) {
            if (!crit.contains(AUTHENTIC_SIGNING_TIME)) {
                throw new Invalid("signingAuthority scheme without a critical authentic signing time");
            }
            signedAt = time(header, AUTHENTIC_SIGNING_TIME);
            chainTime = signedAt; // the signing authority vouches for the time: the chain must have been valid then
        } else if (scheme.equals("notary.x509")) {
            signedAt = time(header, SIGNING_TIME);
            chainTime = now; // a self-declared time proves nothing: the chain must be valid now
        } else {
            throw new Invalid("signing scheme '" + Text.oneLine(scheme, 60) + "' is not notary.x509 or notary.x509.signingAuthority");
        }
        if (signedAt.isAfter(now.plusSeconds(300))) {
            throw new Invalid("signed in the future (" + signedAt + ")");
        }

        List<X509Certificate> chain = chain(env.path("header").path("x5c"));
        X509Certificate leaf = chain.get(0);
        String expected = algorithmFor(leaf.getPublicKey());
        if (!alg.equals(expected)) {
            throw new Invalid("algorithm " + alg + " does not match the leaf's key (" + expected + ")");
        }
        leafUsage(leaf);
        pkix(chain, chainTime);

        JWSObject jws;
        try {
            jws = new JWSObject(new Base64URL(protectedB64), new Payload(new Base64URL(payloadB64)), new Base64URL(signatureB64));
            JWSVerifier v = leaf.getPublicKey() instanceof ECPublicKey ec ? new ECDSAVerifier(ec, crit) : new RSASSAVerifier((RSAPublicKey) leaf.getPublicKey(), crit);
            if (!jws.verify(v)) {
                throw new Invalid("the signature does not verify (payload or header changed, or another key signed)");
            }
        } catch (java.text.ParseException | com.nimbusds.jose.JOSEException e) {
            throw new Invalid("the JWS does not parse or verify: " + Text.oneLine(e.getMessage(), 160));
        }

        if (header.has(EXPIRY) && now.isAfter(time(header, EXPIRY))) {
            throw new Invalid("the signature expired at " + time(header, EXPIRY));
        }
        JsonNode artifact = json(new Base64URL(payloadB64).decode(), "the payload").path("targetArtifact");
        if (!target.digest().equals(artifact.path("digest").asText())) {
            throw new Invalid("it signs " + Text.oneLine(artifact.path("digest").asText(), 80) + ", not " + target.digest());
        }
        if (!target.mediaType().equals(artifact.path("mediaType").asText())) {
            throw new Invalid("it signs media type " + Text.oneLine(artifact.path("mediaType").asText(), 80) + ", the image is " + target.mediaType());
        }
        if (artifact.path("size").asLong(-1) != target.size()) {
            throw new Invalid("it signs " + artifact.path("size").asLong(-1) + " bytes, the manifest has " + target.size());
        }

        String profileVersion = header.path(PROFILE_VERSION).asText("");
        String identity = profileVersion.isEmpty() ? TrustPolicy.SUBJECT_PREFIX + leaf.getSubjectX500Principal().getName() : profileVersion;
        if (!trusted(profileVersion, leaf)) {
            throw new Invalid("signed by " + Text.oneLine(identity, 200) + ", which signingIdentities does not trust");
        }
        if (!profileVersion.isEmpty() && policy.revocationEnforced()) {
            List<String> revoked;
            try {
                revoked = revocation.revoked(new RevocationCheck.Query(profileVersion, header.path(JOB).asText(""), certificateHashes(chain), signedAt));
            } catch (RuntimeException e) {
                throw new Invalid("the revocation status could not be read and signatureRevocationCheck=enforce fails closed: "
                        + Text.oneLine(String.valueOf(e.getMessage()), 160));
            }
            if (!revoked.isEmpty()) {
                throw new Invalid("revoked: " + Text.oneLine(String.join(", ", revoked), 300));
            }
        }
        return new Result(true, identity, null, signedAt);
    }

    private boolean trusted(String profileVersion, X509Certificate leaf) {
        for (String id : policy.identities()) {
            if (id.startsWith(TrustPolicy.SUBJECT_PREFIX)) {
                if (profileVersion.isEmpty() && new X500Principal(id.substring(TrustPolicy.SUBJECT_PREFIX.length())).equals(leaf.getSubjectX500Principal())) {
                    return true;
                }
            } else if (!profileVersion.isEmpty()) {
                // a profile ARN (…:/signing-profiles/NAME) trusts each of its versions; a version ARN only itself
                if (profileVersion.equalsIgnoreCase(id) || profileVersion.toLowerCase(java.util.Locale.ROOT).startsWith(id.toLowerCase(java.util.Locale.ROOT) + "/")
                        && id.split("/").length == 3) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<X509Certificate> chain(JsonNode x5c) {
        if (!x5c.isArray() || x5c.isEmpty()) {
            throw new Invalid("no certificate chain (x5c)");
        }
        if (x5c.size() > MAX_CHAIN) {
            throw new Invalid("a chain of " + x5c.size() + " certificates (at most " + MAX_CHAIN + ")");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (JsonNode c : x5c) {
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(c.asText()))));
            }
        } catch (Exception e) {
            throw new Invalid("a certificate of the chain does not parse: " + Text.oneLine(e.getMessage(), 120));
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
                default -> throw new Invalid("an EC key of " + bits + " bits (P-256, P-384 or P-521 only)");
            };
        }
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return switch (bits) {
                case 2048 -> "PS256";
                case 3072 -> "PS384";
                case 4096 -> "PS512";
                default -> throw new Invalid("an RSA key of " + bits + " bits (2048, 3072 or 4096 only)");
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

    private void pkix(List<X509Certificate> chain, Instant at) {
        if (policy.roots().isEmpty()) {
            throw new Invalid("no trust roots are configured (signingTrustRoots)");
        }
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && path.get(path.size() - 1).getSubjectX500Principal().equals(path.get(path.size() - 1).getIssuerX500Principal())) {
            path.remove(path.size() - 1); // the root travels in x5c; PKIX validates up to a pinned anchor, never to a root the envelope brings
        }
        try {
            PKIXParameters params = new PKIXParameters(policy.roots().stream().map(r -> new TrustAnchor(r, null)).collect(Collectors.toSet()));
            params.setRevocationEnabled(false); // revocation: AWS Signer's, below
            params.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw new Invalid("the certificate chain does not validate to a trusted root at " + at + ": " + Text.oneLine(e.getMessage(), 200));
        } catch (Exception e) {
            throw new Invalid("the certificate chain could not be validated: " + Text.oneLine(e.getMessage(), 200));
        }
    }

    /** Per certificate, hex SHA-384 of its TBS part followed by its issuer's (the last one's twice), as AWS Signer expects. */
    static List<String> certificateHashes(List<X509Certificate> chain) {
        List<String> hashes = new ArrayList<>();
        try {
            for (X509Certificate c : chain) {
                hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(c.getTBSCertificate())));
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
