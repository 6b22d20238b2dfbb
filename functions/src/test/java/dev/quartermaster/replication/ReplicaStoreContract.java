package dev.quartermaster.replication;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every replica store does (DynamoDB Local and the in-memory twin run the same tests). */
abstract class ReplicaStoreContract {
    static final String REPO = "wordpress";
    static final Destination DR = new Destination("eu-central-1", "111122223333");
    static final Destination DEPLOY = new Destination("eu-west-1", "444455556666");
    static final Instant PUSHED = Instant.parse("2026-11-30T10:00:00Z");

    protected abstract ReplicaStore store();

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    @Test
    void aPushIsAwaitedOncePerDestination() {
        String d = digest('a');
        assertTrue(store().await(Replica.pending(REPO, d, DR, PUSHED, PUSHED.plusSeconds(3600))));
        assertFalse(
                store().await(Replica.pending(REPO, d, DR, PUSHED, PUSHED.plusSeconds(3600))),
                "a redelivered push awaits nothing new");
        assertTrue(
                store().await(Replica.pending(REPO, d, DEPLOY, PUSHED, PUSHED.plusSeconds(3600))));
        List<Replica> all = store().replicas(REPO, d);
        assertEquals(2, all.size());
        assertTrue(all.stream().allMatch(r -> r.state() == ReplicaState.PENDING));
    }

    @Test
    void onlyDueReplicasAreListedAndSettledOnesLeaveTheList() {
        String d = digest('b');
        store().await(Replica.pending(REPO, d, DR, PUSHED, PUSHED.plusSeconds(3600)));
        store().await(Replica.pending(REPO, d, DEPLOY, PUSHED, PUSHED.plusSeconds(7200)));
        assertTrue(
                mine(store().due(PUSHED.plusSeconds(3599), 50), d).isEmpty(),
                "nothing is due before its deadline");
        assertEquals(
                1,
                mine(store().due(PUSHED.plusSeconds(3600), 50), d).size(),
                "due at its deadline");
        Replica dr = store().get(REPO, d, DR).orElseThrow();
        assertTrue(
                store().transition(
                                Optional.of(dr),
                                dr.settled(
                                        ReplicaState.REPLICATED,
                                        "ok",
                                        PUSHED.plusSeconds(60),
                                        null)));
        assertEquals(
                List.of(DEPLOY),
                mine(store().due(PUSHED.plusSeconds(9000), 50), d).stream()
                        .map(Replica::destination)
                        .toList());
        Replica settled = store().get(REPO, d, DR).orElseThrow();
        assertEquals(ReplicaState.REPLICATED, settled.state());
        assertNull(settled.dueAt());
        assertEquals(PUSHED.plusSeconds(60), settled.settledAt());
    }

    @Test
    void aStaleReadCannotMoveAReplicaTwice() {
        String d = digest('c');
        store().await(Replica.pending(REPO, d, DR, PUSHED, PUSHED.plusSeconds(3600)));
        Replica read1 = store().get(REPO, d, DR).orElseThrow();
        Replica read2 = store().get(REPO, d, DR).orElseThrow();
        assertTrue(
                store().transition(
                                Optional.of(read1),
                                read1.settled(
                                        ReplicaState.FAILED, "x", PUSHED, "REPLICATION_FAILED")));
        assertFalse(
                store().transition(
                                Optional.of(read2),
                                read2.settled(
                                        ReplicaState.FAILED, "x", PUSHED, "REPLICATION_FAILED")),
                "the second writer read the PENDING record: its move must fail");
        Replica failed = store().get(REPO, d, DR).orElseThrow();
        assertEquals("REPLICATION_FAILED", failed.pendingAlert());
        assertTrue(
                store().transition(
                                Optional.of(failed),
                                failed.settled(
                                        ReplicaState.REPLICATED, "later success", PUSHED, null)),
                "a failure can still be followed by a success");
        Replica ok = store().get(REPO, d, DR).orElseThrow();
        assertFalse(
                store().transition(
                                Optional.of(ok),
                                ok.settled(
                                        ReplicaState.FAILED,
                                        "late failure",
                                        PUSHED,
                                        "REPLICATION_FAILED")),
                "REPLICATED is final");
        assertEquals(ReplicaState.REPLICATED, store().get(REPO, d, DR).orElseThrow().state());
    }

    @Test
    void anUnknownDigestIsRecordedOnceEvenWhenTwoDeliveriesRace() throws Exception {
        String d = digest('d');
        Replica arrived =
                new Replica(
                        REPO,
                        d,
                        DR,
                        ReplicaState.REPLICATED,
                        "seen",
                        null,
                        null,
                        PUSHED,
                        false,
                        null,
                        0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> tasks =
                    java.util.Collections.nCopies(
                            4, () -> store().transition(Optional.empty(), arrived));
            int won = 0;
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                won += f.get() ? 1 : 0;
            }
            assertEquals(1, won, "exactly one delivery creates the record");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lateIsMarkedAndDueAgainAndTheAlertIsClearedOnceDelivered() {
        String d = digest('e');
        store().await(Replica.pending(REPO, d, DR, PUSHED, PUSHED.plusSeconds(3600)));
        Replica r = store().get(REPO, d, DR).orElseThrow();
        assertTrue(
                store().transition(
                                Optional.of(r),
                                r.markedLate(PUSHED.plusSeconds(7200), "REPLICATION_LATE")));
        Replica late = store().get(REPO, d, DR).orElseThrow();
        assertTrue(late.late());
        assertEquals("PENDING (late)", late.label());
        assertTrue(
                mine(store().due(PUSHED.plusSeconds(3600), 50), d).isEmpty(),
                "moved to its next due time");
        assertEquals(1, mine(store().due(PUSHED.plusSeconds(7200), 50), d).size());
        store().alertDelivered(late);
        assertNull(store().get(REPO, d, DR).orElseThrow().pendingAlert());
    }

    private static List<Replica> mine(List<Replica> due, String digest) {
        return due.stream().filter(r -> r.digest().equals(digest)).toList();
    }
}
