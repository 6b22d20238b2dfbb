package dev.quartermaster.signature;

import java.util.List;

/** Where a digest's Notation signatures are read from (the registry). */
public interface SignatureSource {
    /**
     * A signature manifest: its digest, the envelope's descriptor (media type, digest, size) and
     * its subject's digest.
     */
    record Signature(
            String manifestDigest,
            String envelopeMediaType,
            String envelopeDigest,
            long envelopeSize,
            String subjectDigest) {}

    /** The subject manifest: media type and size, as Notation's payload names them. */
    record Target(String mediaType, String digest, long size) {}

    Target target(String repository, String digest);

    /**
     * Signatures found, and what was passed over to find them (one line per kind, for the verdict;
     * empty when nothing was).
     */
    record Found(List<Signature> signatures, List<String> skipped) {
        public Found {
            signatures = List.copyOf(signatures);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The signatures referring to {@code digest} (at most {@code max}), and what was skipped on the
     * way.
     */
    Found signatures(String repository, String digest, int max);

    /** An envelope's bytes, checked against its digest; refused above {@code maxBytes}. */
    byte[] envelope(String repository, Signature s, int maxBytes);
}
