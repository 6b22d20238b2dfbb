package dev.quartermaster.replication;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.Text;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Proves each pushed digest arrives in every replication destination. A push records one PENDING
 * replica per destination, due after the deadline; ECR's replication event from a destination
 * settles it REPLICATED (the destination holds the same digest: ECR replicates by digest and names
 * it) or FAILED (alerted at once); the sweep asks ECR about the ones still PENDING when due,
 * settles what ECR answers and alerts the rest once as REPLICATION_LATE (asking again each
 * deadline). Every move is conditional on the state read, so redeliveries and concurrent deliveries
 * move a replica once and alert once; an alert decided but not delivered is kept on the record and
 * sent again by the next delivery.
 */
public final class ReplicationService {
    static final int SWEEP_BATCH = 50;
    private static final int ATTEMPTS = 3;

    private final List<Destination> destinations;
    private final List<String> repositories;
    private final Duration deadline;
    private final ReplicaStore store;
    private final ReplicationStatus status;
    private final Alerts alerts;
    private final Clock clock;

    public ReplicationService(
            List<Destination> destinations,
            List<String> repositories,
            Duration deadline,
            ReplicaStore store,
            ReplicationStatus status,
            Alerts alerts,
            Clock clock) {
        this.destinations = List.copyOf(destinations);
        this.repositories = List.copyOf(repositories);
        this.deadline = deadline;
        this.store = store;
        this.status = status;
        this.alerts = alerts;
        this.clock = clock;
    }

    /**
     * What one call did: replicas moved (or created), and a line per replica for the outcome.
     * {@code ignored}: the event is not one this service acts on (its line says why), so nothing
     * was or will be recorded for it.
     */
    public record Result(int changed, List<String> lines, int late, boolean ignored) {
        public Result(int changed, List<String> lines, int late) {
            this(changed, lines, late, false);
        }

        public Result(int changed, List<String> lines) {
            this(changed, lines, 0, false);
        }

        static Result ignoring(String why) {
            return new Result(0, List.of("ignored: " + why), 0, true);
        }

        public String summary() {
            return lines.isEmpty()
                    ? "nothing to do"
                    : String.join("; ", lines.subList(0, Math.min(5, lines.size())))
                            + (lines.size() > 5 ? " (+" + (lines.size() - 5) + " more)" : "");
        }
    }

    public List<Destination> destinations() {
        return destinations;
    }

    /**
     * Whether ECR's replication rule covers the repository (its filters are prefixes of the managed
     * repositories' names).
     */
    public boolean replicated(String repository) {
        return repositories.isEmpty() || repositories.stream().anyMatch(repository::startsWith);
    }

    /**
     * A successful push: one PENDING replica per destination, due after the deadline (a redelivery
     * changes nothing).
     */
    public Result pushed(String repository, String digest, Instant pushedAt) {
        List<String> lines = new ArrayList<>();
        int created = 0;
        if (!replicated(repository)) {
            return new Result(0, List.of(repository + " is not replicated"));
        }
        for (Destination d : destinations) {
            if (store.await(
                    Replica.pending(repository, digest, d, pushedAt, pushedAt.plus(deadline)))) {
                created++;
                lines.add(d.key() + " PENDING");
            } else {
                lines.add(d.key() + " already recorded");
            }
        }
        return new Result(created, lines);
    }

    /**
     * ECR's replication event from {@code destination}: REPLICATED on success, FAILED (alerted)
     * otherwise. A destination not configured is ignored with the reason; a digest never seen
     * pushed is recorded all the same.
     */
    public Result arrived(
            String repository,
            String digest,
            Destination destination,
            boolean success,
            Instant at) {
        if (!destinations.contains(destination)) {
            return Result.ignoring(
                    destination.key() + " is not a configured replication destination");
        }
        ReplicaState next = success ? ReplicaState.REPLICATED : ReplicaState.FAILED;
        String why = success ? "ECR replicated the digest" : "ECR reported the replication FAILED";
        return new Result(
                move(repository, digest, destination, next, why, at) ? 1 : 0,
                List.of(destination.key() + " " + next));
    }

    /** Recorded by the backfill after it copied (or found) the digest in the destination. */
    public boolean backfilled(
            String repository, String digest, Destination destination, Instant at) {
        return move(
                repository, digest, destination, ReplicaState.REPLICATED, "copied by backfill", at);
    }

    /**
     * The sweep: PENDING replicas past due, checked with ECR, until the batch or the time runs out.
     */
    public Result sweep(Duration timeLeft) {
        Instant now = clock.instant();
        Instant stop = now.plus(timeLeft);
        List<String> lines = new ArrayList<>();
        int changed = 0;
        int late = 0;
        for (Replica r : store.due(now, SWEEP_BATCH)) {
            if (clock.instant().isAfter(stop)) {
                lines.add("time ran out: the rest waits for the next sweep");
                break;
            }
            String line =
                    r.repository()
                            + "@"
                            + r.digest().substring(7, 19)
                            + " "
                            + r.destination().key();
            ReplicationStatus.Status s;
            String unreadable = null;
            try {
                s =
                        status.of(r.repository(), r.digest()).stream()
                                .filter(x -> x.destination().equals(r.destination()))
                                .findFirst()
                                .orElse(null);
            } catch (RuntimeException e) {
                s = null;
                unreadable =
                        "ECR's replication status could not be read: "
                                + Text.oneLine(String.valueOf(e.getMessage()), 200);
            }
            if (s != null && s.state() == ReplicationStatus.State.COMPLETE) {
                changed +=
                        move(
                                        r.repository(),
                                        r.digest(),
                                        r.destination(),
                                        ReplicaState.REPLICATED,
                                        "confirmed by ECR's replication status",
                                        now)
                                ? 1
                                : 0;
                lines.add(line + " REPLICATED (ECR)");
            } else if (s != null && s.state() == ReplicationStatus.State.FAILED) {
                String code =
                        s.failureCode() == null || s.failureCode().isBlank()
                                ? "no failure code"
                                : Text.oneLine(s.failureCode(), 100);
                changed +=
                        move(
                                        r.repository(),
                                        r.digest(),
                                        r.destination(),
                                        ReplicaState.FAILED,
                                        "ECR's replication status is FAILED: " + code,
                                        now)
                                ? 1
                                : 0;
                lines.add(line + " FAILED (" + code + ")");
            } else {
                changed += late(r, now, unreadable) ? 1 : 0;
                late++;
                lines.add(line + " LATE" + (unreadable != null ? " (status unreadable)" : ""));
            }
        }
        return new Result(changed, lines, late);
    }

    private boolean late(Replica r, Instant now, String unreadable) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<Replica> current =
                    i == 0
                            ? Optional.of(r)
                            : store.get(r.repository(), r.digest(), r.destination());
            if (current.isEmpty() || current.get().state() != ReplicaState.PENDING) {
                return false;
            }
            Replica c = current.get();
            String alert =
                    c.late()
                            ? null
                            : "REPLICATION_LATE"; // alerted once; asked again every deadline
            Replica next = c.markedLate(now.plus(deadline), alert);
            if (unreadable != null) {
                next = next.because(unreadable);
            }
            if (store.transition(current, next)) {
                deliver(next);
                return true;
            }
        }
        return false;
    }

    private boolean move(
            String repository,
            String digest,
            Destination destination,
            ReplicaState next,
            String why,
            Instant at) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<Replica> current = store.get(repository, digest, destination);
            if (current.isPresent() && !current.get().state().mayBecome(next)) {
                if (current.get().pendingAlert() != null) {
                    deliver(current.get()); // an earlier delivery recorded the move but could not
                    // alert
                }
                return false;
            }
            String alert = next == ReplicaState.FAILED ? "REPLICATION_FAILED" : null;
            Replica base =
                    current.orElse(
                            new Replica(
                                    repository,
                                    digest,
                                    destination,
                                    ReplicaState.PENDING,
                                    "",
                                    null,
                                    null,
                                    null,
                                    false,
                                    null,
                                    0));
            Replica moved =
                    base.settled(
                            next,
                            current.isEmpty() ? why + " (no push of it was recorded)" : why,
                            at,
                            alert);
            if (store.transition(current, moved)) {
                deliver(moved);
                return true;
            }
        }
        throw new IllegalStateException(
                "the replica of "
                        + repository
                        + "@"
                        + digest
                        + " in "
                        + destination.key()
                        + " kept changing while it was recorded; the event will be retried");
    }

    private void deliver(Replica r) {
        if (r.pendingAlert() == null) {
            return;
        }
        alerts.publish(alert(r));
        store.alertDelivered(r);
    }

    static Alert alert(Replica r) {
        String what = r.repository() + "@" + r.digest();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("repository", r.repository());
        details.put("digest", r.digest());
        details.put("destination", r.destination().key());
        details.put("state", r.label());
        if (r.pendingAlert().equals("REPLICATION_FAILED")) {
            return new Alert(
                            "REPLICATION_FAILED",
                            "REPLICATION_FAILED: "
                                    + r.repository()
                                    + " to "
                                    + r.destination().key(),
                            "The replica of "
                                    + what
                                    + " in "
                                    + r.destination().key()
                                    + " failed: "
                                    + r.reason()
                                    + ". The DR copy is missing:"
                                    + " run `bin/qm replicate backfill --to "
                                    + r.destination().key()
                                    + " --aws` once the cause is fixed.",
                            details)
                    .withNext("bin/qm replicate backfill --to " + r.destination().key() + " --aws");
        }
        return new Alert(
                        "REPLICATION_LATE",
                        "REPLICATION_LATE: " + r.repository() + " to " + r.destination().key(),
                        "The replica of "
                                + what
                                + " (pushed "
                                + r.pushedAt()
                                + ") is not in "
                                + r.destination().key()
                                + " after the deadline: "
                                + r.reason()
                                + ". Check the registry's replication configuration and the destination's registry policy;"
                                + " Quartermaster asks ECR again every deadline and records the outcome.",
                        details)
                .withNext("bin/qm replicate backfill --to " + r.destination().key() + " --aws");
    }

    /** Where this service's alerts go (an upkeep run's fold alerts there too). */
    public Alerts alerts() {
        return alerts;
    }
}
