package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.events.EcrReplicationAction;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.SsmCommandStatus;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.testkit.HostScripts;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events the local stand-ins make have the shape of the fixture that follows AWS's sample
 * (events/SOURCES.md): the same envelope and detail fields, and the values in AWS's formats.
 */
class StandInEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void localAgent_statusEvent_isShapedAsRunCommandsInvocationEvent() throws Exception {
        Instant sent = Instant.parse("2026-11-23T03:00:01.049123Z");
        JsonNode event =
                JSON.readTree(
                        LocalAgent.statusEvent(
                                new LocalAgent.Finished(
                                        "e8d3c0e4-71f7-4491-898f-c9b35bee5f3b",
                                        "Quartermaster-DumpDocument",
                                        "Success",
                                        new HostScripts.Run(0, ""),
                                        sent)));
        JsonNode sample = fixture("ssm-command-success.json");

        assertThat(fields(event)).isEqualTo(fields(sample));
        assertThat(fields(event.path("detail"))).isEqualTo(fields(sample.path("detail")));
        String instance = event.path("detail").path("instance-id").asText();
        assertThat(instance)
                .as("an EC2 instance id, as SSM names it")
                .matches("i-[0-9a-f]{8}([0-9a-f]{9})?");
        assertThat(event.path("resources").get(0).asText())
                .isEqualTo(
                        "arn:aws:ec2:us-east-1:"
                                + event.path("account").asText()
                                + ":instance/"
                                + instance);
        assertThat(event.path("detail").path("requested-date-time").asText())
                .as("milliseconds, when the command was sent")
                .isEqualTo("2026-11-23T03:00:01.049Z");
        assertThat(event.path("time").asText())
                .as("whole seconds")
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(Instant.parse(event.path("time").asText()))
                .isAfterOrEqualTo(Instant.parse("2026-11-23T03:00:01.049Z"));
        assertThat(SsmCommandStatus.parse(event).status()).isEqualTo("Success");
    }

    @Test
    void localReplication_event_isShapedAsEcrsReplicationEvent() throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        JsonNode event =
                JSON.readTree(
                        LocalReplication.event(
                                "wordpress",
                                digest,
                                "wp-6.4-v1",
                                new Destination("eu-central-1", "123456789012"),
                                true));
        JsonNode sample = fixture("replication-success.json");

        assertThat(fields(event)).isEqualTo(fields(sample));
        assertThat(fields(event.path("detail"))).isEqualTo(fields(sample.path("detail")));
        assertThat(event.path("resources").get(0).asText())
                .isEqualTo("arn:aws:ecr:eu-central-1:123456789012:repository/wordpress");
        var parsed =
                EventParser.parse(
                        event,
                        EcrReplicationAction.class,
                        EcrReplicationAction.SOURCE,
                        Set.of(EcrReplicationAction.DETAIL_TYPE));
        assertThat(parsed.detail().imageDigest()).isEqualTo(digest);
    }

    @Test
    void localSchedule_andDemoPush_areShapedAsTheirFixtures() throws Exception {
        JsonNode scheduled =
                JSON.readTree(
                        LocalInvoke.scheduledEvent(Instant.parse("2026-11-23T03:00:00.123456Z")));
        JsonNode sample = fixture("scheduled-backup.json");
        assertThat(fields(scheduled)).isEqualTo(fields(sample));
        assertThat(scheduled.path("detail").isObject() && scheduled.path("detail").isEmpty())
                .isTrue();
        assertThat(scheduled.path("time").asText())
                .as("whole seconds, as EventBridge writes it")
                .isEqualTo("2026-11-23T03:00:00Z");

        JsonNode push =
                JSON.readTree(
                        dev.quartermaster.cli.demo.DemoCommand.pushEvent(
                                "wp-6.4-v1", "sha256:" + "ab".repeat(32)));
        JsonNode pushSample = fixture("image-action-push.json");
        assertThat(fields(push)).isEqualTo(fields(pushSample));
        assertThat(fields(push.path("detail"))).isEqualTo(fields(pushSample.path("detail")));
    }

    private static JsonNode fixture(String name) throws Exception {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("events").resolve(name))) {
                return JSON.readTree(dir.resolve("events").resolve(name).toFile());
            }
        }
        throw new IllegalStateException(
                "no events/" + name + " above " + Path.of("").toAbsolutePath());
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> out = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
