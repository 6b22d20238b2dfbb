package dev.quartermaster.replication;

import java.time.Instant;

/**
 * One pushed digest in one destination: its state, why (ECR's failure code, "late", "backfill"),
 * when it was pushed, when it is due (PENDING only), when it settled, whether it was found late, an
 * alert decided but not yet delivered, and the store's revision it was read at (a write is
 * conditional on it).
 */
public record Replica(
        String repository,
        String digest,
        Destination destination,
        ReplicaState state,
        String reason,
        Instant pushedAt,
        Instant dueAt,
        Instant settledAt,
        boolean late,
        String pendingAlert,
        long revision) {

    public static Replica pending(
            String repository,
            String digest,
            Destination destination,
            Instant pushedAt,
            Instant dueAt) {
        return new Replica(
                repository,
                digest,
                destination,
                ReplicaState.PENDING,
                "",
                pushedAt,
                dueAt,
                null,
                false,
                null,
                0);
    }

    public Replica settled(ReplicaState next, String why, Instant at, String alert) {
        return new Replica(
                repository,
                digest,
                destination,
                next,
                why,
                pushedAt,
                null,
                at,
                late,
                alert,
                revision);
    }

    public Replica markedLate(Instant nextDue, String alert) {
        return new Replica(
                repository,
                digest,
                destination,
                state,
                "not replicated within the deadline",
                pushedAt,
                nextDue,
                settledAt,
                true,
                alert,
                revision);
    }

    public Replica alertDelivered() {
        return new Replica(
                repository,
                digest,
                destination,
                state,
                reason,
                pushedAt,
                dueAt,
                settledAt,
                late,
                null,
                revision);
    }

    /** The same replica with another reason (kept for the alert). */
    public Replica because(String why) {
        return new Replica(
                repository,
                digest,
                destination,
                state,
                why,
                pushedAt,
                dueAt,
                settledAt,
                late,
                pendingAlert,
                revision);
    }

    /** What a person reads: REPLICATED, FAILED, PENDING or PENDING (late). */
    public String label() {
        return state == ReplicaState.PENDING && late ? "PENDING (late)" : state.name();
    }
}
