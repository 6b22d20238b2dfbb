package dev.quartermaster.ledger;

import java.time.Instant;

/** An ECR action whose result was FAILURE: kept for the record, never treated as an image. */
public record FailedAction(
        String repository,
        Instant at,
        ImageAction.Kind action,
        String tag,
        String digest,
        String eventId) {}
