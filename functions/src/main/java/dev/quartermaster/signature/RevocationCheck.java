package dev.quartermaster.signature;

import java.time.Instant;
import java.util.List;

/**
 * Whether AWS Signer revoked a signature's profile version, job or certificates
 * (signer:GetRevocationStatus). {@code certificateHashes}: per certificate of the chain (leaf
 * first), hex SHA-384 of its TBS part followed by its issuer's (the root's twice), as AWS Signer's
 * Notation plugin sends them.
 */
public interface RevocationCheck {
    record Query(
            String profileVersionArn,
            String jobArn,
            List<String> certificateHashes,
            Instant signingTime) {}

    /**
     * The revoked entities (empty: none); throws when the answer cannot be had (the caller fails
     * closed).
     */
    List<String> revoked(Query q);
}
