package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.DigestMismatchException;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryException;
import dev.quartermaster.registry.RegistryNotFoundException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Signatures as an OCI registry holds them: the referrers of the digest (the referrers API asked
 * for the signature artifact type, or the referrers tag schema where the registry has none), each a
 * manifest with the Notation signature's artifact type (or config media type, as older Notation
 * wrote it), its envelope as the one layer, and the signed image as its subject. Whoever can push
 * can clutter that list, so the search reads signature-typed entries first, never reads entries of
 * other types, passes over entries that are missing, unreadable, not a signature's shape or signing
 * another subject without counting them as signatures, reads at most {@value #MAX_MANIFESTS_READ}
 * manifests, and says what it passed over.
 */
public final class RegistrySignatureSource implements SignatureSource {
    public static final String SIGNATURE_ARTIFACT = "application/vnd.cncf.notary.signature";

    /**
     * At most this many referrer manifests are read per check (the referrers the archive keeps per
     * manifest, too).
     */
    public static final int MAX_MANIFESTS_READ = 64;

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
    public Found signatures(String repository, String digest, int max) {
        RegistryClient.ReferrerList list =
                registry.referrers(repository, digest, SIGNATURE_ARTIFACT);
        // signatures by their listed artifact type first; then entries listing no type (older
        // Notation wrote it as the
        // config's media type, visible only in the manifest); entries of other types (SBOMs,
        // attestations) are never read
        List<Descriptor> candidates = new ArrayList<>();
        List<Descriptor> untyped = new ArrayList<>();
        int otherTypes = 0;
        for (RegistryClient.Referrer r : list.referrers()) {
            if (SIGNATURE_ARTIFACT.equals(r.artifactType())) {
                candidates.add(r.descriptor());
            } else if (r.artifactType().isEmpty()) {
                untyped.add(r.descriptor());
            } else {
                otherTypes++;
            }
        }
        candidates.addAll(untyped);
        List<Signature> out = new ArrayList<>();
        int read = 0;
        int missing = 0;
        int unreadable = 0;
        int notSignatures = 0;
        int otherSubject = 0;
        int unread = 0;
        for (Descriptor d : candidates) {
            if (out.size() == max) {
                break;
            }
            if (d.digest().equals(digest)) {
                otherSubject++; // the image listed as its own referrer: never followed
                continue;
            }
            if (read == MAX_MANIFESTS_READ) {
                unread++;
                continue;
            }
            read++;
            Manifest m;
            JsonNode root;
            try {
                m = registry.manifest(repository, d.digest());
                root = JSON.readTree(m.bytes());
            } catch (RegistryNotFoundException e) {
                missing++; // listed (a tag-schema index anyone with push rights can write) but not
                // in the registry
                continue;
            } catch (RegistryException e) {
                if (e.isTransient()) {
                    throw e; // the registry is failing: no verdict from a partial look
                }
                unreadable++;
                continue;
            } catch (IOException e) {
                unreadable++;
                continue;
            }
            boolean signature =
                    SIGNATURE_ARTIFACT.equals(root.path("artifactType").asText())
                            || SIGNATURE_ARTIFACT.equals(
                                    root.path("config").path("mediaType").asText());
            if (!signature || m.isIndex() || m.layers().size() != 1) {
                notSignatures++; // an SBOM, an attestation, or not a signature's shape
                continue;
            }
            String subject = root.path("subject").path("digest").asText("");
            if (!digest.equals(subject)) {
                otherSubject++; // listed here, but signs another manifest
                continue;
            }
            Descriptor envelope = m.layers().get(0);
            out.add(
                    new Signature(
                            m.digest(),
                            envelope.mediaType(),
                            envelope.digest(),
                            envelope.size(),
                            subject));
        }
        List<String> skipped = new ArrayList<>();
        note(skipped, otherTypes, "of other artifact types (not read)");
        note(skipped, missing, "listed but missing from the registry");
        note(skipped, unreadable, "unreadable");
        note(skipped, notSignatures, "not shaped as a Notation signature");
        note(skipped, otherSubject, "naming another subject");
        note(skipped, list.unreadable(), "with an unreadable descriptor");
        note(
                skipped,
                unread + list.beyondBound(),
                "not looked at (beyond "
                        + MAX_MANIFESTS_READ
                        + " manifests read or "
                        + RegistryClient.MAX_LISTED
                        + " listed)");
        return new Found(out, skipped);
    }

    private static void note(List<String> skipped, int count, String what) {
        if (count > 0) {
            skipped.add(count + (count == 1 ? " referrer " : " referrers ") + what);
        }
    }

    @Override
    public byte[] envelope(String repository, Signature s, int maxBytes) {
        try (Digests.VerifyingInputStream in = registry.blob(repository, s.envelopeDigest())) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new RegistryException(
                        "the envelope "
                                + s.envelopeDigest()
                                + " is larger than "
                                + maxBytes
                                + " bytes");
            }
            in.drainAndVerify();
            return bytes;
        } catch (DigestMismatchException e) {
            throw new RegistryException(
                    "the envelope " + s.envelopeDigest() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException(
                    "reading the envelope " + s.envelopeDigest() + " failed: " + e.getMessage(), e);
        }
    }
}
