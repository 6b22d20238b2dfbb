package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.DigestMismatchException;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Signatures as an OCI registry holds them: the referrers of the digest (the referrers API, or the referrers tag
 * schema where the registry has none), each a manifest with the Notation signature's artifact type (or config media
 * type, as older Notation wrote it), its envelope as the one layer, and the signed image as its subject.
 */
public final class RegistrySignatureSource implements SignatureSource {
    public static final String SIGNATURE_ARTIFACT = "application/vnd.cncf.notary.signature";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RegistryClient registry;

    public RegistrySignatureSource(RegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public Target target(String repository, String digest) {
        Manifest m = registry.manifest(repository, digest);
        return new Target(m.mediaType(), m.digest(), m.size());
    }

    @Override
    public List<Signature> signatures(String repository, String digest, int max) {
        List<Signature> out = new ArrayList<>();
        for (Descriptor d : registry.referrers(repository, digest)) {
            if (out.size() == max) {
                break;
            }
            if (d.digest().equals(digest)) {
                continue; // the image listed as its own referrer: never followed
            }
            Manifest m = registry.manifest(repository, d.digest());
            JsonNode root;
            try {
                root = JSON.readTree(m.bytes());
            } catch (IOException e) {
                continue;
            }
            boolean signature = SIGNATURE_ARTIFACT.equals(root.path("artifactType").asText())
                    || SIGNATURE_ARTIFACT.equals(root.path("config").path("mediaType").asText());
            if (!signature || m.isIndex() || m.layers().size() != 1) {
                continue; // an SBOM, an attestation, or not a signature's shape
            }
            Descriptor envelope = m.layers().get(0);
            out.add(new Signature(m.digest(), envelope.mediaType(), envelope.digest(), envelope.size(), root.path("subject").path("digest").asText("")));
        }
        return out;
    }

    @Override
    public byte[] envelope(String repository, Signature s, int maxBytes) {
        try (Digests.VerifyingInputStream in = registry.blob(repository, s.envelopeDigest())) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new RegistryException("the envelope " + s.envelopeDigest() + " is larger than " + maxBytes + " bytes");
            }
            in.drainAndVerify();
            return bytes;
        } catch (DigestMismatchException e) {
            throw new RegistryException("the envelope " + s.envelopeDigest() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException("reading the envelope " + s.envelopeDigest() + " failed: " + e.getMessage(), e);
        }
    }
}
