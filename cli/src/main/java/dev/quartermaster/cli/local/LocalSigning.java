package dev.quartermaster.cli.local;

import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.signature.RevocationCheck;
import dev.quartermaster.testkit.NotationSigner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The local stand-in for ECR managed signing and AWS Signer: a chain generated once under {@code
 * .qm/signing/} (its root is the local trust root), a signature pushed beside each image as ECR
 * pushes one (the envelope, the empty config, the signature manifest with the image as subject, and
 * the referrers tag schema's index, since the local registry has no referrers API), and a
 * revocation list of ARNs in {@code revoked.txt}.
 */
public final class LocalSigning {
    public static final String PROFILE =
            "arn:aws:signer:us-east-1:000000000000:/signing-profiles/quartermaster_local";
    private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.US_ASCII);
    private final Path dir;
    private final NotationSigner signer;

    public LocalSigning(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            if (!Files.isRegularFile(dir.resolve("leaf.key"))) {
                NotationSigner.Chain c = NotationSigner.chain("quartermaster-local-signer");
                Files.writeString(dir.resolve("root.pem"), c.rootPem());
                Files.writeString(
                        dir.resolve("chain.pem"),
                        NotationSigner.pem(c.certificates().get(0)) + c.rootPem());
                Files.writeString(
                        dir.resolve("leaf.key"),
                        Base64.getEncoder().encodeToString(c.leafKey().getEncoded()));
            }
            List<X509Certificate> certs = new ArrayList<>();
            for (var c :
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(
                                            Files.readAllBytes(dir.resolve("chain.pem"))))) {
                certs.add((X509Certificate) c);
            }
            var key =
                    KeyFactory.getInstance("EC")
                            .generatePrivate(
                                    new PKCS8EncodedKeySpec(
                                            Base64.getDecoder()
                                                    .decode(
                                                            Files.readString(
                                                                            dir.resolve("leaf.key"))
                                                                    .trim())));
            this.signer = new NotationSigner(new NotationSigner.Chain(certs, key), PROFILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "the local signing chain in "
                            + dir
                            + " is unreadable (delete the directory to make a new one): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The local trust root (signingTrustRoots' local default). */
    public Path rootPem() {
        return dir.resolve("root.pem");
    }

    /**
     * Signs {@code repository@digest} as ECR managed signing would, pushing the signature into the
     * registry. Returns the signature's digest.
     */
    public String sign(
            RegistryClient reader, RegistryWriter writer, String repository, String digest) {
        Manifest image = reader.manifest(repository, digest);
        byte[] envelope = signer.sign(image.mediaType(), image.digest(), image.size());
        String envelopeDigest = Digests.of(envelope);
        writer.pushBlob(
                repository,
                envelopeDigest,
                envelope.length,
                () -> new ByteArrayInputStream(envelope));
        writer.pushBlob(
                repository,
                Digests.of(EMPTY_CONFIG),
                EMPTY_CONFIG.length,
                () -> new ByteArrayInputStream(EMPTY_CONFIG));
        byte[] manifest =
                NotationSigner.signatureManifest(
                        envelopeDigest,
                        envelope.length,
                        image.mediaType(),
                        image.digest(),
                        image.size(),
                        Instant.now());
        String signature =
                writer.putManifest(
                        repository,
                        Digests.of(manifest),
                        "application/vnd.oci.image.manifest.v1+json",
                        manifest);
        // a registry without the referrers API (the local one) finds it through the referrers tag
        // schema's index
        dev.quartermaster.registry.ReferrersTagSchema.add(
                reader, writer, repository, digest, reader.manifest(repository, signature));
        return signature;
    }

    /**
     * AWS Signer's revocation, locally: the ARNs (profile version, job) listed one per line in
     * revoked.txt.
     */
    public RevocationCheck revocations() {
        return q -> {
            Path f = dir.resolve("revoked.txt");
            if (!Files.isRegularFile(f)) {
                return List.of();
            }
            try {
                return Files.readAllLines(f).stream()
                        .map(String::trim)
                        .filter(
                                l ->
                                        !l.isEmpty()
                                                && (l.equals(q.jobArn())
                                                        || l.equals(q.profileVersionArn())))
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
