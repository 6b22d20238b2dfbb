package dev.quartermaster.ledger;

import java.time.Instant;
import java.util.Optional;

/**
 * One ECR image action, validated, in domain terms.
 *
 * @param digest null only for a failed action (ECR sends no digest for a push that failed)
 * @param tag    empty for a digest-only push (a multi-arch child manifest) or delete
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
        String artifactMediaType) {

    public enum Kind { PUSH, DELETE }

    public Optional<String> tagOpt() {
        return tag == null || tag.isEmpty() ? Optional.empty() : Optional.of(tag);
    }
}
