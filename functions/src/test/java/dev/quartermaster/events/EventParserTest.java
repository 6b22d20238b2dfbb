package dev.quartermaster.events;

import dev.quartermaster.testutils.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventParserTest {
    private static AwsEvent<EcrImageAction> parse(String json) {
        var tree =
                EventParser.readTree(
                        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        return EventParser.parse(
                tree,
                EcrImageAction.class,
                EcrImageAction.SOURCE,
                Set.of(EcrImageAction.DETAIL_TYPE));
    }

    @Test
    void parse_whenRealPushEvent_readsKebabCaseDetail() {
        AwsEvent<EcrImageAction> e = parse(Fixtures.text("image-action-push.json"));

        assertThat(e.detail().actionType()).isEqualTo("PUSH");
        assertThat(e.detail().repositoryName()).isEqualTo("wordpress");
        assertThat(e.detail().imageTag()).isEqualTo("wp-6.4-v1");
        assertThat(e.detail().artifactMediaType())
                .isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(e.time()).hasToString("2026-11-20T09:00:00Z");
    }

    @Test
    void parse_whenWrongSource_saysWhatWasExpected() {
        String json = Fixtures.text("image-action-push.json").replace("\"aws.ecr\"", "\"aws.s3\"");

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected source 'aws.ecr'")
                .hasMessageContaining("aws.s3");
    }

    @Test
    void parse_whenTimeIsNotIso_rejects() {
        String json =
                Fixtures.text("image-action-push.json")
                        .replace("2026-11-20T09:00:00Z", "yesterday");

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void readTree_whenNotJson_rejects() {
        assertThatThrownBy(() -> parse("{\"id\": "))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void readTree_whenJsonArray_rejects() {
        assertThatThrownBy(() -> parse("[1,2]"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void parse_whenNoDetail_rejects() {
        String json =
                "{\"id\":\"x\",\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"time\":\"2026-11-20T09:00:00Z\"}";

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("no detail");
    }

    @Test
    void parse_whenEventIdIsHuge_rejectsWithABoundedMessage() {
        String json =
                Fixtures.text("image-action-push.json")
                        .replace("6a7e8feb-b491-4cf7-a9f1-bf3703467718", "x".repeat(5000));

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("is not an EventBridge id")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    @Test
    void origin_whenEventNamesAnotherAccountOrRegion_rejects() {
        EventOrigin mine = new EventOrigin("123456789012", "us-east-1");
        var ours =
                EventParser.readTree(
                        Fixtures.text("image-action-push.json").getBytes(StandardCharsets.UTF_8));
        var foreignAccount =
                EventParser.readTree(
                        Fixtures.text("image-action-push.json")
                                .replace(
                                        "\"account\": \"123456789012\"",
                                        "\"account\": \"999999999999\"")
                                .getBytes(StandardCharsets.UTF_8));
        var foreignRegion =
                EventParser.readTree(
                        Fixtures.text("image-action-push.json")
                                .replace("\"region\": \"us-east-1\"", "\"region\": \"eu-west-1\"")
                                .getBytes(StandardCharsets.UTF_8));

        mine.check(ours);
        assertThatThrownBy(() -> mine.check(foreignAccount))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("999999999999");
        assertThatThrownBy(() -> mine.check(foreignRegion))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("eu-west-1");
        EventOrigin.any().check(foreignAccount); // local runs: no check
    }

    @Test
    void handler_whenEventIsFromAnotherAccount_rejectsItAsMalformed() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        var handler =
                new dev.quartermaster.ledger.ImageActionHandler(
                                new dev.quartermaster.ledger.ImageLedger(
                                        store, new dev.quartermaster.testutils.RecordingAlerts()))
                        .acceptingOnly(new EventOrigin("999999999999", "us-east-1"));

        var result = dev.quartermaster.testutils.Invoke.handler(handler, "image-action-push.json");

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(store.head("wordpress", "wp-6.4-v1")).isEmpty();
    }
}
