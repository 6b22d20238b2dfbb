package dev.quartermaster.ledger;

import java.time.Instant;

/**
 * One entry of a digest's storage-class history: ECR archived or restored it ({@code action}
 * UPDATE_STORAGE_CLASS), or a push of the archived digest restored it ({@code action} PUSH; ECR
 * user guide, "Archiving an image").
 *
 * @param outOfOrder the event is older than the class already recorded: kept here, the current
 *     class left as it was
 */
public record StorageEvent(
        String repository,
        String digest,
        Instant at,
        StorageClass storageClass,
        ImageAction.Kind action,
        boolean outOfOrder,
        String eventId) {}
