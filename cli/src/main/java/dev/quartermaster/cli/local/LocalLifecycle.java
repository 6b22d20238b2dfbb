package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.lifecycle.LifecyclePreview;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The local ECR stand-in's lifecycle: what ECR does when its lifecycle policy archives an image,
 * played locally. ECR moves the image to archive storage and sends an {@code ECR Image Action} with
 * {@code action-type: UPDATE_STORAGE_CLASS} and {@code target-storage-class: ARCHIVE} (no {@code
 * image-tag}); locally the event goes to image-action the way a local push's event does. The local
 * registry has no archive tier: the image stays pullable there, the ledger is what learns of the
 * move.
 */
public final class LocalLifecycle {
    /** The account and region of every local event (the demo's and the agent's). */
    static final String ACCOUNT = "000000000000";

    static final String REGION = "us-east-1";

    private LocalLifecycle() {}

    /**
     * The event ECR sends when an image is archived, shaped as the ECR user guide's "Amazon ECR
     * events and EventBridge", "Event for an image archival action".
     */
    public static byte[] archivedEvent(
            String repository,
            String digest,
            String manifestMediaType,
            String artifactMediaType,
            Instant at) {
        ObjectNode e = EventParser.JSON.createObjectNode();
        e.put("version", "0")
                .put("id", UUID.randomUUID().toString())
                .put("detail-type", "ECR Image Action")
                .put("source", "aws.ecr")
                .put("account", ACCOUNT)
                .put("time", at.truncatedTo(ChronoUnit.SECONDS).toString())
                .put("region", REGION);
        e.putArray("resources");
        ObjectNode d = e.putObject("detail");
        d.put("action-type", "UPDATE_STORAGE_CLASS")
                .put("target-storage-class", "ARCHIVE")
                .put("image-digest", digest)
                .put("repository-name", repository)
                .put("result", "SUCCESS");
        if (manifestMediaType != null) {
            d.put("manifest-media-type", manifestMediaType);
        }
        if (artifactMediaType != null) {
            d.put("artifact-media-type", artifactMediaType);
        }
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Applies the preview's TRANSITION lines: one archival event each, sent to {@code imageAction}
     * (the image-action function). Lines that would hurt (a running digest, a rollback target) are
     * applied too, as ECR would: the preview printed them first.
     *
     * @return how many events image-action took (not REJECTED)
     */
    public static int applyTransitions(
            String repository,
            List<LifecyclePreview.Line> lines,
            List<ImageRecord> images,
            Function<byte[], JsonNode> imageAction,
            Instant now,
            PrintStream out) {
        Map<String, ImageRecord> byDigest =
                images.stream().collect(Collectors.toMap(ImageRecord::digest, i -> i, (a, b) -> a));
        int taken = 0;
        for (LifecyclePreview.Line l : lines) {
            if (!"TRANSITION".equals(l.action())) {
                continue;
            }
            ImageRecord i = byDigest.get(l.digest());
            JsonNode result =
                    imageAction.apply(
                            archivedEvent(
                                    repository,
                                    l.digest(),
                                    i == null ? null : i.manifestMediaType(),
                                    i == null ? null : i.artifactMediaType(),
                                    now));
            String status = result.path("status").asText();
            out.println(
                    "  archived "
                            + repository
                            + "@"
                            + l.digest().substring(7, 19)
                            + " ("
                            + l.rule()
                            + "): image-action "
                            + status
                            + ("REJECTED".equals(status)
                                    ? " (" + result.path("message").asText() + ")"
                                    : ""));
            if (!"REJECTED".equals(status)) {
                taken++;
            }
        }
        return taken;
    }
}
