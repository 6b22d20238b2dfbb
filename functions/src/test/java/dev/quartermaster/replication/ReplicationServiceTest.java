package dev.quartermaster.replication;

import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationServiceTest {
    static final Destination DR = new Destination("eu-central-1", "111122223333");
    static final Destination DEPLOY = new Destination("eu-west-1", "444455556666");
    static final String REPO = "wordpress";
    static final String DIGEST = "sha256:" + "a".repeat(64);
    static final Instant PUSHED = Instant.parse("2026-11-30T10:00:00Z");

    final InMemoryReplicaStore store = new InMemoryReplicaStore();
    final RecordingAlerts alerts = new RecordingAlerts();
    final Map<Destination, ReplicationStatus.Status> ecr = new HashMap<>();
    RuntimeException ecrDown;
    Instant now = PUSHED;
    final ReplicationService service =
            new ReplicationService(
                    List.of(DR, DEPLOY),
                    List.of("wordpress"),
                    Duration.ofMinutes(60),
                    store,
                    (repo, digest) -> {
                        if (ecrDown != null) {
                            throw ecrDown;
                        }
                        return List.copyOf(ecr.values());
                    },
                    alerts,
                    new Clock() {
                        public java.time.ZoneId getZone() {
                            return ZoneOffset.UTC;
                        }

                        public Clock withZone(java.time.ZoneId z) {
                            return this;
                        }

                        public Instant instant() {
                            return now;
                        }
                    });

    ReplicaState state(Destination d) {
        return store.get(REPO, DIGEST, d).orElseThrow().state();
    }

    @Test
    void aPushIsAwaitedEverywhereAndProvenByEachDestinationsEvent() {
        assertEquals(2, service.pushed(REPO, DIGEST, PUSHED).changed());
        assertEquals(
                0,
                service.pushed(REPO, DIGEST, PUSHED).changed(),
                "a redelivered push changes nothing");
        assertEquals(
                0,
                service.pushed("other", DIGEST, PUSHED).changed(),
                "a repository the rule does not replicate is not awaited");
        assertEquals(1, service.arrived(REPO, DIGEST, DR, true, PUSHED.plusSeconds(40)).changed());
        assertEquals(
                0,
                service.arrived(REPO, DIGEST, DR, true, PUSHED.plusSeconds(41)).changed(),
                "a redelivered event changes nothing");
        assertEquals(ReplicaState.REPLICATED, state(DR));
        assertEquals(ReplicaState.PENDING, state(DEPLOY));
        assertEquals(List.of(), alerts.kinds());
    }

    @Test
    void aFailureAlertsOnceAndAnUndeliveredAlertIsSentByTheNextDelivery() {
        service.pushed(REPO, DIGEST, PUSHED);
        alerts.failNextWith(new IllegalStateException("SNS is down"));
        assertThrows(
                IllegalStateException.class,
                () -> service.arrived(REPO, DIGEST, DEPLOY, false, PUSHED.plusSeconds(30)));
        assertEquals(
                ReplicaState.FAILED,
                state(DEPLOY),
                "the outcome is recorded before the alert is sent");
        assertEquals(
                "REPLICATION_FAILED", store.get(REPO, DIGEST, DEPLOY).orElseThrow().pendingAlert());
        service.arrived(REPO, DIGEST, DEPLOY, false, PUSHED.plusSeconds(30)); // Lambda's retry
        service.arrived(
                REPO, DIGEST, DEPLOY, false, PUSHED.plusSeconds(30)); // and another delivery
        assertEquals(List.of("REPLICATION_FAILED"), alerts.kinds(), "delivered once, by the retry");
        assertTrue(
                alerts.published()
                        .get(0)
                        .message()
                        .contains("backfill --to eu-west-1/444455556666"));
        assertEquals(
                1,
                service.arrived(REPO, DIGEST, DEPLOY, true, PUSHED.plusSeconds(90)).changed(),
                "a later success still proves it");
        assertEquals(ReplicaState.REPLICATED, state(DEPLOY));
    }

    @Test
    void eventsFromElsewhereAreIgnoredAndUnknownDigestsRecorded() {
        var r =
                service.arrived(
                        REPO, DIGEST, new Destination("ap-south-1", "111122223333"), true, PUSHED);
        assertEquals(0, r.changed());
        assertTrue(r.summary().startsWith("ignored"));
        assertEquals(1, service.arrived(REPO, DIGEST, DR, true, PUSHED).changed());
        assertTrue(
                store.get(REPO, DIGEST, DR)
                        .orElseThrow()
                        .reason()
                        .contains("no push of it was recorded"));
    }

    @Test
    void theSweepAsksEcrAboutLateReplicasAndAlertsLateOnlyOnce() {
        service.pushed(REPO, DIGEST, PUSHED);
        now = PUSHED.plus(Duration.ofMinutes(59));
        assertEquals(
                0,
                service.sweep(Duration.ofMinutes(1)).lines().size(),
                "nothing is due before the deadline");
        now = PUSHED.plus(Duration.ofMinutes(61));
        ecr.put(DR, new ReplicationStatus.Status(DR, ReplicationStatus.State.COMPLETE, null));
        ecr.put(
                DEPLOY,
                new ReplicationStatus.Status(DEPLOY, ReplicationStatus.State.IN_PROGRESS, null));
        var first = service.sweep(Duration.ofMinutes(1));
        assertEquals(2, first.changed());
        assertEquals(1, first.late(), "one replica still in progress past its deadline");
        assertEquals(ReplicaState.REPLICATED, state(DR), "ECR's COMPLETE settles it");
        assertTrue(store.get(REPO, DIGEST, DEPLOY).orElseThrow().late());
        assertEquals(List.of("REPLICATION_LATE"), alerts.kinds());
        now = now.plus(Duration.ofMinutes(15));
        assertEquals(
                0,
                service.sweep(Duration.ofMinutes(1)).lines().size(),
                "a late replica is asked about again a deadline later, not every sweep");
        now = now.plus(Duration.ofMinutes(60));
        ecr.put(
                DEPLOY,
                new ReplicationStatus.Status(
                        DEPLOY,
                        ReplicationStatus.State.FAILED,
                        "REPLICATION_DESTINATION_POLICY_MISSING"));
        service.sweep(Duration.ofMinutes(1));
        assertEquals(ReplicaState.FAILED, state(DEPLOY));
        assertEquals(
                List.of("REPLICATION_LATE", "REPLICATION_FAILED"),
                alerts.kinds(),
                "late alerted once, then the failure");
        assertTrue(
                store.get(REPO, DIGEST, DEPLOY)
                        .orElseThrow()
                        .reason()
                        .contains("REPLICATION_DESTINATION_POLICY_MISSING"));
    }

    @Test
    void anUnreadableStatusStillEndsInARecordedLateReplicaAndAnAlert() {
        service.pushed(REPO, DIGEST, PUSHED);
        now = PUSHED.plus(Duration.ofHours(2));
        ecrDown = new IllegalStateException("AccessDenied: ecr:DescribeImageReplicationStatus");
        service.sweep(Duration.ofMinutes(1));
        assertEquals(List.of("REPLICATION_LATE", "REPLICATION_LATE"), alerts.kinds());
        assertTrue(store.get(REPO, DIGEST, DR).orElseThrow().reason().contains("AccessDenied"));
    }
}
