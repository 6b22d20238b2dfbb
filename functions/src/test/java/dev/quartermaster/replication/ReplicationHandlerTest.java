package dev.quartermaster.replication;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.events.EventOrigin;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * image-replication over the sample events (the same files bin/qm invoke reads), in-memory store.
 */
class ReplicationHandlerTest {
    static final String DIGEST =
            "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    static final Destination DR = new Destination("eu-central-1", "123456789012");
    static final Destination DEPLOY = new Destination("eu-west-1", "111122223333");
    final InMemoryReplicaStore store = new InMemoryReplicaStore();
    final RecordingAlerts alerts = new RecordingAlerts();
    final ReplicationHandler handler =
            (ReplicationHandler)
                    new ReplicationHandler(
                                    new ReplicationService(
                                            List.of(DR, DEPLOY),
                                            List.of("wordpress"),
                                            Duration.ofMinutes(60),
                                            store,
                                            (r, d) -> List.of(),
                                            alerts,
                                            Clock.systemUTC()))
                            .acceptingOnly(new EventOrigin("123456789012", "us-east-1"));

    @Test
    void aPushIsProvenInTheDrRegionAndTheDeployAccount() {
        assertThat(Invoke.handler(handler, "image-action-push.json").path("status").asText())
                .isEqualTo("RECORDED");
        assertThat(Invoke.handler(handler, "image-action-push.json").path("status").asText())
                .isEqualTo("DUPLICATE");
        assertThat(Invoke.handler(handler, "replication-success.json").path("status").asText())
                .isEqualTo("RECORDED");
        assertThat(
                        Invoke.handler(handler, "replication-cross-account.json")
                                .path("status")
                                .asText())
                .as(
                        "the deploy account's event is accepted: its account and region are a destination's")
                .isEqualTo("RECORDED");
        assertThat(store.replicas("wordpress", DIGEST))
                .extracting(Replica::label)
                .containsOnly("REPLICATED");
        JsonNode late = Invoke.handler(handler, "replication-failed.json");
        assertThat(late.path("status").asText())
                .as("a failure after the success changes nothing")
                .isEqualTo("DUPLICATE");
        assertThat(alerts.kinds()).isEmpty();
    }

    @Test
    void aFailureIsRecordedAndAlerted() {
        Invoke.handler(handler, "image-action-push.json");
        Invoke.handler(handler, "replication-failed.json");
        assertThat(store.get("wordpress", DIGEST, DR).orElseThrow().state())
                .isEqualTo(ReplicaState.FAILED);
        assertThat(alerts.kinds()).containsExactly("REPLICATION_FAILED");
    }

    @Test
    void aReplicationEventFromARegionThatIsNoDestination_isIgnoredWithTheReason() {
        // this account and region's own event (accepted), but replication is configured towards
        // eu-west-1 only
        ReplicationHandler deployOnly =
                (ReplicationHandler)
                        new ReplicationHandler(
                                        new ReplicationService(
                                                List.of(DEPLOY),
                                                List.of("wordpress"),
                                                Duration.ofMinutes(60),
                                                store,
                                                (r, d) -> List.of(),
                                                alerts,
                                                Clock.systemUTC()))
                                .acceptingOnly(new EventOrigin("123456789012", "eu-central-1"));
        JsonNode ignored = Invoke.handler(deployOnly, "replication-success.json");
        assertThat(ignored.path("status").asText()).isEqualTo("IGNORED");
        assertThat(ignored.path("message").asText())
                .contains("eu-central-1")
                .contains("is not a configured replication destination");
        assertThat(store.replicas("wordpress", DIGEST)).isEmpty();
    }

    @Test
    void eventsOfOtherAccountsAndShapesAreRejectedWithTheReason() {
        ReplicationHandler drOnly =
                (ReplicationHandler)
                        new ReplicationHandler(
                                        new ReplicationService(
                                                List.of(DR),
                                                List.of("wordpress"),
                                                Duration.ofMinutes(60),
                                                store,
                                                (r, d) -> List.of(),
                                                alerts,
                                                Clock.systemUTC()))
                                .acceptingOnly(new EventOrigin("123456789012", "us-east-1"));
        JsonNode other = Invoke.handler(drOnly, "replication-cross-account.json");
        assertThat(other.path("status").asText()).isEqualTo("REJECTED");
        assertThat(other.path("message").asText()).contains("111122223333");
        assertThat(Invoke.handler(drOnly, "image-scan-clean.json").path("status").asText())
                .isEqualTo("REJECTED");
    }
}
