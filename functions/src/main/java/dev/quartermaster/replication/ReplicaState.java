package dev.quartermaster.replication;

/** Where one pushed digest stands in one destination. */
public enum ReplicaState {
    /** pushed, not yet seen in the destination (late once its deadline passed). */
    PENDING,
    /** the destination's registry holds the same digest. */
    REPLICATED,
    /** ECR reported the replication failed. A later success still turns it REPLICATED. */
    FAILED;

    /**
     * Whether a replica in this state may move to {@code next}: REPLICATED is final, a failure can
     * still be followed by a success.
     */
    public boolean mayBecome(ReplicaState next) {
        return switch (this) {
            case PENDING -> next != PENDING;
            case FAILED -> next == REPLICATED;
            case REPLICATED -> false;
        };
    }
}
