package dev.quartermaster.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica store's in-memory twin: the same revision rule as DynamoDB's conditional transaction.
 */
final class InMemoryReplicaStore implements ReplicaStore {
    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();

    private static String key(String repository, String digest, Destination d) {
        return repository + "@" + digest + "#" + d.key();
    }

    @Override
    public synchronized boolean await(Replica pending) {
        return replicas.putIfAbsent(
                        key(pending.repository(), pending.digest(), pending.destination()),
                        withRevision(pending, 1))
                == null;
    }

    @Override
    public Optional<Replica> get(String repository, String digest, Destination destination) {
        return Optional.ofNullable(replicas.get(key(repository, digest, destination)));
    }

    @Override
    public synchronized boolean transition(Optional<Replica> current, Replica next) {
        if (!ReplicaStore.allowed(current, next)) {
            return false;
        }
        String k = key(next.repository(), next.digest(), next.destination());
        Replica stored = replicas.get(k);
        long expected = current.map(Replica::revision).orElse(0L);
        if ((stored == null ? 0L : stored.revision()) != expected
                || (current.isEmpty() && stored != null)) {
            return false;
        }
        replicas.put(k, withRevision(next, expected + 1));
        return true;
    }

    @Override
    public List<Replica> due(Instant now, int limit) {
        return replicas.values().stream()
                .filter(
                        r ->
                                r.state() == ReplicaState.PENDING
                                        && r.dueAt() != null
                                        && !r.dueAt().isAfter(now))
                .sorted(Comparator.comparing(Replica::dueAt))
                .limit(limit)
                .toList();
    }

    @Override
    public List<Replica> replicas(String repository, String digest) {
        return new ArrayList<>(
                replicas.values().stream()
                        .filter(r -> r.repository().equals(repository) && r.digest().equals(digest))
                        .sorted(Comparator.comparing(r -> r.destination().key()))
                        .toList());
    }

    @Override
    public synchronized void alertDelivered(Replica replica) {
        replicas.computeIfPresent(
                key(replica.repository(), replica.digest(), replica.destination()),
                (k, r) ->
                        replica.pendingAlert() != null
                                        && replica.pendingAlert().equals(r.pendingAlert())
                                ? r.alertDelivered()
                                : r);
    }

    private static Replica withRevision(Replica r, long revision) {
        return new Replica(
                r.repository(),
                r.digest(),
                r.destination(),
                r.state(),
                r.reason(),
                r.pushedAt(),
                r.dueAt(),
                r.settledAt(),
                r.late(),
                r.pendingAlert(),
                revision);
    }
}
