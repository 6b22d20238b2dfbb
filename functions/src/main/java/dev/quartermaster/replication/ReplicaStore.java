package dev.quartermaster.replication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Replicas per digest and destination (DynamoDB: the ledger table; an in-memory twin for unit
 * tests). Every change is conditional on the state it was read in, so two deliveries of one event
 * (or the watchdog and an event at once) move a replica once, and only the one that moved it
 * alerts.
 */
public interface ReplicaStore {
    /**
     * Records a PENDING replica due at {@code dueAt}; false when the digest already has a record
     * for that destination.
     */
    boolean await(Replica pending);

    Optional<Replica> get(String repository, String digest, Destination destination);

    /**
     * Moves the replica to {@code next.state()} when {@link ReplicaState#mayBecome} allows it from
     * the state it is in now ({@code current}, empty when there is no record: one is created).
     * False when it changed since it was read (read again).
     */
    boolean transition(Optional<Replica> current, Replica next);

    /**
     * PENDING replicas whose due time is not after {@code now}, earliest first, at most {@code
     * limit}.
     */
    List<Replica> due(Instant now, int limit);

    /** Every destination's replica of one digest. */
    List<Replica> replicas(String repository, String digest);

    /**
     * The alert decided with the last transition was delivered (cleared if the record still holds
     * it).
     */
    void alertDelivered(Replica replica);

    /**
     * The moves a store makes: the ones {@link ReplicaState#mayBecome} allows, and PENDING to
     * PENDING (late, due again later).
     */
    static boolean allowed(Optional<Replica> current, Replica next) {
        return current.isEmpty()
                || current.get().state().mayBecome(next.state())
                || (current.get().state() == ReplicaState.PENDING
                        && next.state() == ReplicaState.PENDING);
    }
}
