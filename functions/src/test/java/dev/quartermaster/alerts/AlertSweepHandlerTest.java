package dev.quartermaster.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.GroupedAlerts;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * alert-sweep: the schedule sweeps; the stack's alarm going to ALARM (CloudWatch's sample shape) is
 * logged, never published.
 */
class AlertSweepHandlerTest {
    final AtomicInteger sweeps = new AtomicInteger();
    final List<Alert> logged = new ArrayList<>();
    final AlertSweepHandler handler =
            new AlertSweepHandler(
                    () -> {
                        sweeps.incrementAndGet();
                        return 2;
                    },
                    logged::add);

    JsonNode invoke(String json) {
        return Invoke.handler(handler, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAlarmGoingToAlarm_isLoggedAsDeliveredByItsOwnAction() throws Exception {
        JsonNode r = invoke(Fixtures.text("cloudwatch-alarm-state-change.json"));

        assertThat(r.path("status").asText()).isEqualTo("RECORDED");
        assertThat(sweeps).hasValue(0);
        assertThat(logged)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.kind()).isEqualTo("ALARM");
                            assertThat(a.subjectKey())
                                    .isEqualTo(
                                            "Quartermaster-OperationsBackupAgeAlarm1A2B3C4D-ABCDEFGHIJKL");
                            assertThat(a.message())
                                    .startsWith(
                                            "No verified backup within maxBackupAgeHours (26 h)")
                                    .contains("were greater than the threshold (26.0)")
                                    .endsWith("(was OK)");
                            assertThat(a.attributes())
                                    .containsEntry(
                                            GroupedAlerts.DELIVERED_BY,
                                            "its CloudWatch alarm action");
                            assertThat(a.next()).isEqualTo("bin/qm status --aws");
                        });
    }

    @Test
    void anAlarmBackToOk_isNotAnAlert_andAMalformedOneIsRejected() throws Exception {
        String ok =
                Fixtures.text("cloudwatch-alarm-state-change.json")
                        .replace("\"value\": \"ALARM\"", "\"value\": \"OK\"");
        assertThat(invoke(ok).path("status").asText()).isEqualTo("IGNORED");
        String bad =
                Fixtures.text("cloudwatch-alarm-state-change.json")
                        .replace("\"value\": \"ALARM\"", "\"value\": \"ON FIRE\"");
        assertThat(invoke(bad).path("status").asText()).isEqualTo("REJECTED");
        assertThat(logged).isEmpty();
    }

    @Test
    void theSchedule_sweeps() throws Exception {
        JsonNode r = invoke(Fixtures.text("scheduled-backup.json"));

        assertThat(r.path("status").asText()).isEqualTo("RECORDED");
        assertThat(r.path("details").path("published").asInt()).isEqualTo(2);
        assertThat(sweeps).hasValue(1);
    }
}
