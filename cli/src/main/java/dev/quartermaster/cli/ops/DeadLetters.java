package dev.quartermaster.cli.ops;

import dev.quartermaster.common.AwsClients;
import dev.quartermaster.common.Settings;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The events no function could handle: in AWS the functions' dead-letter queue (its depth, visible
 * and in flight), locally a directory a failed {@code bin/qm invoke} writes the event into, as
 * Lambda would after its retries.
 */
public interface DeadLetters {
    /** How many events wait; empty when it cannot be known (no queue named, or the read failed). */
    OptionalInt depth();

    /**
     * The deployed stack's queue, named by the stack output {@code DeadLetterQueueUrl} (setting
     * DEAD_LETTER_QUEUE_URL).
     */
    static DeadLetters sqs(Settings settings) {
        String url = settings.get("DEAD_LETTER_QUEUE_URL").orElse("");
        if (url.isEmpty()) {
            return OptionalInt::empty;
        }
        return () -> {
            try (SqsClient sqs =
                    new AwsClients(settings).configure(SqsClient.builder(), "SQS").build()) {
                Map<QueueAttributeName, String> a =
                        sqs.getQueueAttributes(
                                        b ->
                                                b.queueUrl(url)
                                                        .attributeNames(
                                                                QueueAttributeName
                                                                        .APPROXIMATE_NUMBER_OF_MESSAGES,
                                                                QueueAttributeName
                                                                        .APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                                .attributes();
                return OptionalInt.of(
                        Integer.parseInt(
                                        a.getOrDefault(
                                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                                "0"))
                                + Integer.parseInt(
                                        a.getOrDefault(
                                                QueueAttributeName
                                                        .APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                                                "0")));
            } catch (
                    RuntimeException
                            e) { // status still answers; the line says the depth is unknown
                return OptionalInt.empty();
            }
        };
    }

    /** The local dead letters: one JSON file per failed event. */
    static DeadLetters local(Path dir) {
        return () -> {
            if (!Files.isDirectory(dir)) {
                return OptionalInt.of(0);
            }
            try (Stream<Path> files = Files.list(dir)) {
                return OptionalInt.of(
                        (int)
                                files.filter(f -> f.getFileName().toString().endsWith(".json"))
                                        .count());
            } catch (IOException e) {
                return OptionalInt.empty();
            }
        };
    }

    /** Keeps an event a local handler failed on, with the error, where {@link #local} counts it. */
    static Path keep(Path dir, String function, byte[] event, Throwable error) {
        try {
            Files.createDirectories(dir);
            Path f =
                    dir.resolve(
                            function
                                    + "-"
                                    + Instant.now().toEpochMilli()
                                    + "-"
                                    + System.nanoTime() % 100_000
                                    + ".json");
            var doc =
                    dev.quartermaster.events.EventParser.JSON
                            .createObjectNode()
                            .put("function", function)
                            .put(
                                    "error",
                                    dev.quartermaster.common.Text.oneLine(
                                            String.valueOf(error), 500));
            try {
                doc.set("event", dev.quartermaster.events.EventParser.JSON.readTree(event));
            } catch (IOException notJson) {
                doc.put("event", new String(event, StandardCharsets.UTF_8));
            }
            Files.writeString(f, doc.toString() + "\n");
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
