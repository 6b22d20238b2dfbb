package dev.quartermaster.ledger;

import java.time.Instant;
import java.util.Optional;

/**
 * One ECR image action, validated, in domain terms.
 *
 * @param digest null only for a failed action (ECR sends no digest for a push that failed)
 * @param tag empty for a digest-only push (a multi-arch child manifest), a digest delete, or a
 *     storage-class change
 * @param targetStorageClass the class an UPDATE_STORAGE_CLASS action moved the digest to; null for
 *     the other kinds
 */
public record ImageAction(
        String eventId,
        Instant at,
        Kind kind,
        boolean success,
        String repository,
        String digest,
        String tag,
        String manifestMediaType,
        String artifactMediaType,
        StorageClass targetStorageClass) {

    /** ECR's {@code action-type}s of an ECR Image Action event. */
    public enum Kind {
        PUSH,
        DELETE,
        UPDATE_STORAGE_CLASS
    }

    /** A push or a delete (no storage class). */
    public ImageAction(
            String eventId,
            Instant at,
            Kind kind,
            boolean success,
            String repository,
            String digest,
            String tag,
            String manifestMediaType,
            String artifactMediaType) {
        this(
                eventId,
                at,
                kind,
                success,
                repository,
                digest,
                tag,
                manifestMediaType,
                artifactMediaType,
                null);
    }

    public ImageAction {
        if (kind == Kind.UPDATE_STORAGE_CLASS && targetStorageClass == null) {
            throw new IllegalArgumentException(
                    "an UPDATE_STORAGE_CLASS action needs its target storage class");
        }
    }

    public Optional<String> tagOpt() {
        return tag == null || tag.isEmpty() ? Optional.empty() : Optional.of(tag);
    }
}
