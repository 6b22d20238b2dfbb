package dev.quartermaster.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.AlertLog;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.EventParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm alerts on the local alert log (DynamoDB Local, the table as the stack defines it): text,
 * JSON, --kind, --since.
 */
class AlertsCommandIT {
    static Alert mismatch() {
        return new Alert(
                "MISMATCH",
                "MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5",
                "Image wordpress:wp-6.4-v3 lies.",
                Map.of("repository", "wordpress", "tag", "wp-6.4-v3"),
                "bin/qm ledger wordpress:wp-6.4-v3 --aws");
    }

    static String show(AlertsCommand command, AlertLog log, Instant from, boolean json)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(
                        command.show(
                                log,
                                from,
                                json,
                                new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void alerts_listsEachKindAndSubjectOnce_withItsCountDeliveryAndNextCommand(@TempDir Path dir)
            throws Exception {
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            ByteArrayOutputStream published = new ByteArrayOutputStream();
            Platform p =
                    LocalServices.platform(
                            local, new PrintStream(published, true, StandardCharsets.UTF_8));
            AlertLog log = p.alertLog().orElseThrow();
            Instant before = Instant.now().minusSeconds(1);
            p.alerts().publish(mismatch());
            p.alerts().publish(mismatch());
            p.alerts().publish(mismatch());
            p.alerts()
                    .publish(
                            new Alert(
                                    "TAG_MOVED",
                                    "Tag moved: wordpress:latest",
                                    "moved",
                                    Map.of("repository", "wordpress", "tag", "latest"),
                                    "bin/qm ledger wordpress:latest --aws"));
            assertThat(published.toString(StandardCharsets.UTF_8).lines())
                    .as("the local topic: each subject once")
                    .containsExactly(
                            "ALERT MISMATCH: MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5",
                            "ALERT TAG_MOVED: Tag moved: wordpress:latest");

            AlertsCommand command = new AlertsCommand();
            command.limit = 200;
            String text = show(command, log, before, false);
            assertThat(text.lines().findFirst().orElseThrow())
                    .contains("LAST", "KIND", "COUNT", "SUBJECT", "DELIVERY", "NEXT");
            assertThat(text.lines().filter(l -> l.contains("MISMATCH")).findFirst().orElseThrow())
                    .contains(
                            " 3 ",
                            "wordpress:wp-6.4-v3",
                            "sent",
                            "bin/qm ledger wordpress:wp-6.4-v3")
                    .doesNotContain("--aws");
            assertThat(text).contains("TAG_MOVED", "wordpress:latest");

            JsonNode json = EventParser.JSON.readTree(show(command, log, before, true));
            assertThat(json).hasSize(2);
            JsonNode first =
                    json.get(0).path("kind").asText().equals("MISMATCH")
                            ? json.get(0)
                            : json.get(1);
            assertThat(first.path("count").asLong()).isEqualTo(3);
            assertThat(first.path("subject").asText()).isEqualTo("wordpress:wp-6.4-v3");
            assertThat(first.path("next").asText())
                    .as("the local state's log: without --aws")
                    .isEqualTo("bin/qm ledger wordpress:wp-6.4-v3");
            assertThat(first.path("delivery").asText()).isEqualTo("sent");
            assertThat(first.path("attributes").path("tag").asText()).isEqualTo("wp-6.4-v3");

            command.kind = "TAG_MOVED";
            assertThat(EventParser.JSON.readTree(show(command, log, before, true)))
                    .singleElement()
                    .satisfies(a -> assertThat(a.path("kind").asText()).isEqualTo("TAG_MOVED"));
            command.kind = null;
            assertThat(show(command, log, Instant.now().plus(Duration.ofMinutes(1)), false))
                    .isEqualTo("no alerts in this period\n");
        }
    }

    @Test
    void since_takesDaysHoursMinutesOrAnInstant() {
        Instant now = Instant.parse("2026-12-08T12:00:00Z");
        assertThat(dev.quartermaster.cli.ops.AlertsView.since("7d", now))
                .isEqualTo(Instant.parse("2026-12-01T12:00:00Z"));
        assertThat(dev.quartermaster.cli.ops.AlertsView.since("12h", now))
                .isEqualTo(Instant.parse("2026-12-08T00:00:00Z"));
        assertThat(dev.quartermaster.cli.ops.AlertsView.since("2026-11-01T00:00:00Z", now))
                .isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> dev.quartermaster.cli.ops.AlertsView.since("last week", now))
                .hasMessageContaining("write 7d, 12h, 30m or an instant");
    }
}
