package dev.quartermaster.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.util.Base64URL;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for ECR managed signing (AWS Signer, platform Notation-OCI-SHA384-ECDSA): a
 * generated chain (root CA → leaf, ECDSA P-384) and Notation JWS envelopes shaped as AWS Signer's
 * are. The signed attributes are those `notation inspect` shows on a real AWS Signer signature
 * (aws-samples/container-patterns,
 * pattern/ecs-fargate-container-image-signing-and-verification/index.md): signing scheme
 * notary.x509.signingAuthority, its (authentic) signing time, an expiry, {@code
 * io.cncf.notary.verificationPlugin: com.amazonaws.signer.notation.plugin} (no minimum version),
 * the signing profile version and the signing job, each critical as the Notary Project's JWS
 * envelope specification (signature-envelope-jws.md) and AWS Signer's plugin (it reads the profile
 * version and job among the critical attributes) want. {@link #notationHeader} is the header
 * Notation itself writes with a plain certificate (notary.x509). Every header and the payload can
 * be replaced, so tests can build each way a signature goes wrong.
 */
public final class NotationSigner {
    public static final String SIGNATURE_ARTIFACT = "application/vnd.cncf.notary.signature";
    public static final String JWS_MEDIA_TYPE = "application/jose+json";
    public static final String PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";
    public static final String VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin";

    /** AWS Signer's Notation plugin, as its signatures name it. */
    public static final String AWS_SIGNER_PLUGIN = "com.amazonaws.signer.notation.plugin";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate chain (leaf first, root last) and the leaf's private key. */
    public record Chain(List<X509Certificate> certificates, PrivateKey leafKey) {
        public X509Certificate root() {
            return certificates.get(certificates.size() - 1);
        }

        /** The root as PEM: what signingTrustRoots names. */
        public String rootPem() {
            return pem(root());
        }
    }

    private final Chain chain;
    private final String profileArn;

    public NotationSigner(Chain chain, String profileArn) {
        this.chain = chain;
        this.profileArn = profileArn;
    }

    public Chain chain() {
        return chain;
    }

    /** The signing profile's ARN: what signingIdentities names. */
    public String profileArn() {
        return profileArn;
    }

    /** A root valid from an hour ago for a year, and a code-signing leaf under it. */
    public static Chain chain(String leafName) {
        Instant now = Instant.now();
        return chain(
                leafName,
                now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(365)),
                "secp384r1");
    }

    /**
     * A root named {@code rootCommonName} (another CA than the local signing root) and a
     * code-signing leaf under it.
     */
    public static Chain chainUnder(String rootCommonName, String leafName) {
        Instant now = Instant.now();
        return chain(
                rootCommonName,
                leafName,
                now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(365)),
                "secp384r1");
    }

    /**
     * A root and a leaf with the leaf's validity given, on the given curve (secp256r1, secp384r1,
     * secp521r1).
     */
    public static Chain chain(
            String leafName, Instant leafNotBefore, Instant leafNotAfter, String curve) {
        return chain(
                "Quartermaster local signing root", leafName, leafNotBefore, leafNotAfter, curve);
    }

    private static Chain chain(
            String rootCommonName,
            String leafName,
            Instant leafNotBefore,
            Instant leafNotAfter,
            String curve) {
        try {
            KeyPair rootKeys = keys("secp384r1");
            X500Name rootName = new X500Name("CN=" + rootCommonName + ",O=Quartermaster");
            Instant now = Instant.now();
            X509Certificate root =
                    certificate(
                            rootName,
                            rootName,
                            rootKeys.getPublic(),
                            rootKeys.getPrivate(),
                            now.minus(Duration.ofDays(2)),
                            now.plus(Duration.ofDays(3650)),
                            true);
            KeyPair leafKeys = keys(curve);
            X509Certificate leaf =
                    certificate(
                            rootName,
                            new X500Name("CN=" + leafName + ",O=Quartermaster"),
                            leafKeys.getPublic(),
                            rootKeys.getPrivate(),
                            leafNotBefore,
                            leafNotAfter,
                            false);
            return new Chain(List.of(leaf, root), leafKeys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(
                    "generating a signing chain failed: " + e.getMessage(), e);
        }
    }

    private static KeyPair keys(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(
            X500Name issuer,
            X500Name subject,
            java.security.PublicKey key,
            PrivateKey issuerKey,
            Instant notBefore,
            Instant notAfter,
            boolean ca)
            throws Exception {
        JcaX509v3CertificateBuilder b =
                new JcaX509v3CertificateBuilder(
                        issuer,
                        BigInteger.valueOf(SERIAL.incrementAndGet()),
                        Date.from(notBefore),
                        Date.from(notAfter),
                        subject,
                        key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        }
        return new JcaX509CertificateConverter()
                .getCertificate(
                        b.build(new JcaContentSignerBuilder("SHA384withECDSA").build(issuerKey)));
    }

    public static String pem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The protected header AWS Signer writes, for a signature made now. */
    public Map<String, Object> header(Instant signedAt) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", "ES384");
        h.put("cty", PAYLOAD_TYPE);
        h.put(
                "crit",
                List.of(
                        "io.cncf.notary.signingScheme",
                        "io.cncf.notary.authenticSigningTime",
                        "io.cncf.notary.expiry",
                        VERIFICATION_PLUGIN,
                        "com.amazonaws.signer.signingProfileVersion",
                        "com.amazonaws.signer.signingJob"));
        h.put("io.cncf.notary.signingScheme", "notary.x509.signingAuthority");
        h.put("io.cncf.notary.authenticSigningTime", signedAt.toString());
        h.put("io.cncf.notary.expiry", signedAt.plus(Duration.ofDays(365)).toString());
        h.put(VERIFICATION_PLUGIN, AWS_SIGNER_PLUGIN);
        h.put("com.amazonaws.signer.signingProfileVersion", profileArn + "/a1B2c3D4e5");
        h.put(
                "com.amazonaws.signer.signingJob",
                profileArn
                                .replace("/signing-profiles/", "/signing-jobs/")
                                .replaceAll("/signing-jobs/.*", "/signing-jobs/")
                        + java.util.UUID.randomUUID());
        return h;
    }

    /**
     * The protected header Notation writes when it signs with a plain certificate and key (scheme
     * notary.x509, an unauthenticated signing time, only the scheme critical), as in the Notary
     * Project's JWS envelope example.
     */
    public static Map<String, Object> notationHeader(Instant signedAt) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", "ES384");
        h.put("cty", PAYLOAD_TYPE);
        h.put("io.cncf.notary.signingScheme", "notary.x509");
        h.put("io.cncf.notary.signingTime", signedAt.toString());
        h.put("crit", List.of("io.cncf.notary.signingScheme"));
        return h;
    }

    /** Notation's payload: the target artifact's descriptor. */
    public static Map<String, Object> payload(String mediaType, String digest, long size) {
        return Map.of(
                "targetArtifact", Map.of("mediaType", mediaType, "digest", digest, "size", size));
    }

    /**
     * A signature of the manifest {@code digest} (its media type and size), as AWS Signer makes it
     * now.
     */
    public byte[] sign(String mediaType, String digest, long size) {
        return envelope(
                header(Instant.now()),
                payload(mediaType, digest, size),
                chain.leafKey(),
                chain.certificates());
    }

    /**
     * A JWS envelope in Notation's JSON serialization with the given protected header and payload,
     * signed by {@code key} with the algorithm the header names (ES256/384/512; anything else is
     * written unsigned, for tests of what is refused).
     */
    public static byte[] envelope(
            Map<String, Object> header, Object payload, PrivateKey key, List<X509Certificate> x5c) {
        try {
            String protectedB64 = Base64URL.encode(JSON.writeValueAsBytes(header)).toString();
            String payloadB64 = Base64URL.encode(JSON.writeValueAsBytes(payload)).toString();
            byte[] input = (protectedB64 + "." + payloadB64).getBytes(StandardCharsets.US_ASCII);
            String alg = String.valueOf(header.get("alg"));
            byte[] signature =
                    switch (alg) {
                        case "ES256" -> es(input, key, "SHA256withECDSA", 64);
                        case "ES384" -> es(input, key, "SHA384withECDSA", 96);
                        case "ES512" -> es(input, key, "SHA512withECDSA", 132);
                        default -> new byte[0];
                    };
            ObjectNode env = JSON.createObjectNode();
            env.put("payload", payloadB64);
            env.put("protected", protectedB64);
            ObjectNode unprotected = env.putObject("header");
            List<String> certs = new ArrayList<>();
            for (X509Certificate c : x5c) {
                certs.add(Base64.getEncoder().encodeToString(c.getEncoded()));
            }
            unprotected.set("x5c", JSON.valueToTree(certs));
            unprotected.put("io.cncf.notary.signingAgent", "quartermaster-local-signer/1");
            env.put("signature", Base64URL.encode(signature).toString());
            return JSON.writeValueAsBytes(env);
        } catch (Exception e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    private static byte[] es(byte[] input, PrivateKey key, String algorithm, int length)
            throws Exception {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(input);
        return ECDSA.transcodeSignatureToConcat(s.sign(), length);
    }

    /**
     * The signature manifest Notation pushes: an OCI image manifest with the signature's artifact
     * type, the empty config, the envelope as its one layer and the signed image as its subject.
     */
    public static byte[] signatureManifest(
            String envelopeDigest,
            long envelopeSize,
            String subjectMediaType,
            String subjectDigest,
            long subjectSize,
            Instant signedAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        m.put("artifactType", SIGNATURE_ARTIFACT);
        m.put(
                "config",
                Map.of(
                        "mediaType",
                        "application/vnd.oci.empty.v1+json",
                        "digest",
                        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                        "size",
                        2));
        m.put(
                "layers",
                List.of(
                        Map.of(
                                "mediaType",
                                JWS_MEDIA_TYPE,
                                "digest",
                                envelopeDigest,
                                "size",
                                envelopeSize)));
        m.put(
                "subject",
                Map.of(
                        "mediaType",
                        subjectMediaType,
                        "digest",
                        subjectDigest,
                        "size",
                        subjectSize));
        m.put(
                "annotations",
                Map.of(
                        "io.cncf.notary.x509chain.thumbprint#S256",
                        "[]",
                        "org.opencontainers.image.created",
                        signedAt.toString()));
        try {
            return JSON.writeValueAsBytes(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
