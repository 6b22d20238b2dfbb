package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.lifecycle.LifecyclePreview;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stand-in archives as ECR does: the event it sends is the one the ECR user guide shows.
 */
class LocalLifecycleTest {
    private static final Instant NOW = Instant.parse("2026-12-07T01:00:00Z");
    private static final String ARCHIVED = "sha256:" + "f".repeat(64);
    private static final String KEPT = "sha256:" + "e".repeat(64);

    /**
     * The detail of the ECR user guide's "Event for an image archival action" ("Amazon ECR events
     * and EventBridge").
     */
    private static final String GUIDE_DETAIL =
            """
            {"action-type": "UPDATE_STORAGE_CLASS", "target-storage-class": "ARCHIVE",
             "image-digest": "sha256:f98d67af8e53a536502bfc600de3266556b06ed635a32d60aa7a5fe6d7e609d7", "repository-name": "ubuntu",
             "result": "SUCCESS", "manifest-media-type": "application/vnd.oci.image.manifest.v1+json",
             "artifact-media-type": "application/vnd.oci.image.config.v1+json"}""";

    @Test
    void archivedEvent_hasTheGuidesFields_andNoImageTag() throws Exception {
        JsonNode guide = EventParser.JSON.readTree(GUIDE_DETAIL);
        JsonNode e =
                EventParser.JSON.readTree(
                        LocalLifecycle.archivedEvent(
                                "ubuntu",
                                guide.path("image-digest").asText(),
                                "application/vnd.oci.image.manifest.v1+json",
                                "application/vnd.oci.image.config.v1+json",
                                NOW));

        assertThat(e.path("detail")).isEqualTo(guide);
        assertThat(e.path("detail-type").asText()).isEqualTo("ECR Image Action");
        assertThat(e.path("source").asText()).isEqualTo("aws.ecr");
        assertThat(e.path("time").asText()).isEqualTo("2026-12-07T01:00:00Z");
        assertThat(e.path("detail").has("image-tag")).isFalse();
    }

    @Test
    void applyTransitions_sendsOneArchivalEventPerTransitionLine_toImageAction() throws Exception {
        List<LifecyclePreview.Line> lines =
                List.of(
                        new LifecyclePreview.Line(
                                ARCHIVED,
                                Set.of("wp-6.2-v1"),
                                NOW.minusSeconds(86_400 * 40L),
                                "TRANSITION",
                                "rule 2",
                                EnumSet.noneOf(LifecyclePreview.Flag.class)),
                        new LifecyclePreview.Line(
                                KEPT,
                                Set.of("wp-6.6-v1"),
                                NOW.minusSeconds(86_400),
                                "KEEP",
                                "no rule selects it",
                                EnumSet.noneOf(LifecyclePreview.Flag.class)));
        List<ImageRecord> images =
                List.of(
                        ImageRecord.builder("wordpress", ARCHIVED)
                                .pushed(NOW, NOW)
                                .tags(Set.of("wp-6.2-v1"))
                                .build());
        List<JsonNode> sent = new ArrayList<>();

        int taken =
                LocalLifecycle.applyTransitions(
                        "wordpress",
                        lines,
                        images,
                        event -> {
                            try {
                                sent.add(EventParser.JSON.readTree(event));
                                return EventParser.JSON.readTree("{\"status\":\"RECORDED\"}");
                            } catch (Exception x) {
                                throw new IllegalStateException(x);
                            }
                        },
                        NOW,
                        new PrintStream(new ByteArrayOutputStream()));

        assertThat(taken).isEqualTo(1);
        assertThat(sent)
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.path("detail").path("image-digest").asText())
                                    .isEqualTo(ARCHIVED);
                            assertThat(e.path("detail").path("repository-name").asText())
                                    .isEqualTo("wordpress");
                            assertThat(e.path("detail").path("action-type").asText())
                                    .isEqualTo("UPDATE_STORAGE_CLASS");
                        });
    }
}
