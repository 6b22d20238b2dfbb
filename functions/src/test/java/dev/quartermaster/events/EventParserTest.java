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
        var tree = EventParser.readTree(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        return EventParser.parse(tree, EcrImageAction.class, EcrImageAction.SOURCE, Set.of(EcrImageAction.DETAIL_TYPE));
    }

    @Test
    void parse_whenRealPushEvent_readsKebabCaseDetail() {
        AwsEvent<EcrImageAction> e = parse(Fixtures.text("image-action-push.json"));

        assertThat(e.detail().actionType()).isEqualTo("PUSH");
        assertThat(e.detail().repositoryName()).isEqualTo("wordpress");
        assertThat(e.detail().imageTag()).isEqualTo("wp-6.4-v1");
        assertThat(e.detail().artifactMediaType()).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(e.time()).hasToString("2026-11-20T09:00:00Z");
    }

    @Test
    void parse_whenWrongSource_saysWhatWasExpected() {
        String json = Fixtures.text("image-action-push.json").replace("\"aws.ecr\"", "\"aws.s3\"");

        assertThatThrownBy(() -> parse(json)).isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected source 'aws.ecr'").hasMessageContaining("aws.s3");
    }

    @Test
    void parse_whenTimeIsNotIso_rejects() {
        String json = Fixtures.text("image-action-push.json").replace("2026-11-20T09:00:00Z", "yesterday");

        assertThatThrownBy(() -> parse(json)).isInstanceOf(MalformedEventException.class).hasMessageContaining("ISO-8601");
    }

    @Test
    void readTree_whenNotJson_rejects() {
        assertThatThrownBy(() -> parse("{\"id\": ")).isInstanceOf(MalformedEventException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void readTree_whenJsonArray_rejects() {
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(MalformedEventException.class).hasMessageContaining("not a JSON object");
    }

    @Test
    void parse_whenNoDetail_rejects() {
        String json = "{\"id\":\"x\",\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"time\":\"2026-11-20T09:00:00Z\"}";

        assertThatThrownBy(() -> parse(json)).isInstanceOf(MalformedEventException.class).hasMessageContaining("no detail");
    }
}
