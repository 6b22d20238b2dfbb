package dev.quartermaster.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The image-action handler end to end against DynamoDB Local, fed the sample events of events/. */
class ImageActionHandlerIT {
    private static final String A =
            "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    private static final String B =
            "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";

    private final RecordingAlerts alerts = new RecordingAlerts();
    private Map<String, String> settings;
    private ImageActionHandler handler;
    private LedgerStore store;

    @BeforeEach
    void setUp() {
        settings = LocalLedger.freshTableSettings();
        var services = LocalLedger.platform(settings, alerts);
        handler =
                new ImageActionHandler(
                        new ImageLedger(LedgerRoot.store(services), services.alerts()));
        store = LedgerRoot.store(services);
    }

    @Test
    void handle_whenSingleArchPush_recordsImageTagAndHead() {
        JsonNode result = Invoke.handler(handler, "image-action-push.json");

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(store.head("wordpress", "wp-6.4-v1"))
                .get()
                .extracting(TagHead::digest)
                .isEqualTo(A);
        ImageRecord image = store.image("wordpress", A).orElseThrow();
        assertThat(image.tags()).containsExactly("wp-6.4-v1");
        assertThat(image.manifestMediaType())
                .isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(image.firstPushedAt()).hasToString("2026-11-20T09:00:00Z");
        assertThat(alerts.published()).isEmpty();
    }

    @Test
    void handle_whenSameEventTwice_changesNothingTheSecondTime() {
        Invoke.handler(handler, "image-action-push.json");
        JsonNode second = Invoke.handler(handler, "image-action-push.json");

        assertThat(second.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(store.history("wordpress", "wp-6.4-v1")).hasSize(1);
        assertThat(store.head("wordpress", "wp-6.4-v1").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void handle_whenTagMovesToAnotherDigest_recordsPreviousDigestAndAlertsOnce() {
        Invoke.handler(handler, "image-action-push.json");
        JsonNode moved = Invoke.handler(handler, "image-action-push-moved.json");
        Invoke.handler(handler, "image-action-push-moved.json");

        assertThat(moved.path("details").path("tagMoved").asBoolean()).isTrue();
        var history = store.history("wordpress", "wp-6.4-v1");
        assertThat(history).extracting(TagEvent::digest).containsExactly(B, A);
        assertThat(history.get(0).previousDigest()).isEqualTo(A);
        assertThat(history.get(0).moved()).isTrue();
        assertThat(store.image("wordpress", A).orElseThrow().tags()).isEmpty();
        assertThat(store.image("wordpress", B).orElseThrow().tags()).containsExactly("wp-6.4-v1");
        assertThat(alerts.kinds()).containsExactly("TAG_MOVED");
        assertThat(alerts.published().get(0).attributes()).containsEntry("previousDigest", A);
    }

    @Test
    void handle_whenAlertDeliveryFails_redeliveryOfTheEventSendsTheAlert() {
        Invoke.handler(handler, "image-action-push.json");
        alerts.failNextWith(new IllegalStateException("SNS unreachable"));

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Invoke.handler(handler, "image-action-push-moved.json"))
                .hasMessageContaining("SNS unreachable");
        JsonNode retry = Invoke.handler(handler, "image-action-push-moved.json");
        Invoke.handler(handler, "image-action-push-moved.json");

        assertThat(retry.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(alerts.kinds()).containsExactly("TAG_MOVED");
        assertThat(store.history("wordpress", "wp-6.4-v1")).hasSize(2);
    }

    @Test
    void handle_whenMultiArchIndexAndChild_recordsBothAndChildIsUntaggedWithoutAlert() {
        Invoke.handler(handler, "image-action-push-child.json");
        Invoke.handler(handler, "image-action-push-index.json");

        var images = store.images("wordpress");
        assertThat(images).hasSize(2);
        assertThat(images)
                .filteredOn(i -> i.tags().contains("wp-6.5-v2"))
                .singleElement()
                .extracting(ImageRecord::manifestMediaType)
                .isEqualTo("application/vnd.oci.image.index.v1+json");
        assertThat(images).filteredOn(i -> i.tags().isEmpty()).hasSize(1);
        assertThat(alerts.published()).isEmpty();
    }

    @Test
    void handle_whenTagDeleted_headIsEmptyAndHistoryKeepsTheDelete() {
        Invoke.handler(handler, "image-action-push.json");
        Invoke.handler(handler, "image-action-push-moved.json");
        JsonNode deleted = Invoke.handler(handler, "image-action-delete.json");

        assertThat(deleted.path("status").asText()).isEqualTo("RECORDED");
        assertThat(store.head("wordpress", "wp-6.4-v1").orElseThrow().digest()).isNull();
        assertThat(store.history("wordpress", "wp-6.4-v1").get(0).action())
                .isEqualTo(ImageAction.Kind.DELETE);
        assertThat(store.image("wordpress", B).orElseThrow().tags()).isEmpty();
    }

    @Test
    void handle_whenPushFailed_recordsFailureNotImage() {
        JsonNode result = Invoke.handler(handler, "image-action-push-failed.json");

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(store.images("wordpress")).isEmpty();
        assertThat(store.failures("wordpress"))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.tag()).isEqualTo("wp-6.4-v9");
                            assertThat(f.digest()).isNull();
                        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"image-action-malformed.json", "not-json.json", "scheduled-backup.json"})
    void handle_whenMalformed_rejectsWithReasonAndWritesNothing(String fixture) {
        JsonNode result = Invoke.handler(handler, fixture);

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText()).isNotBlank();
        assertThat(store.images("wordpress")).isEmpty();
    }

    @Test
    void handle_whenDigestInvalid_reasonNamesTheField() {
        JsonNode result = Invoke.handler(handler, "image-action-malformed.json");

        assertThat(result.path("message").asText()).contains("image-digest").contains("64");
    }

    @Test
    void handle_whenRepositoryNameInvalid_rejects() {
        String bad =
                Fixtures.text("image-action-push.json").replace("\"wordpress\"", "\"Word Press!\"");

        JsonNode result = Invoke.handler(handler, bad.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText()).contains("repository-name");
    }
}
