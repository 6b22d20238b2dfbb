package dev.quartermaster.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an EventBridge event from raw bytes and checks its envelope. Every way the input can be
 * unusable ends in a {@link MalformedEventException} whose message says what was wrong.
 */
public final class EventParser {

    /** Shared, thread-safe, configured once: EventBridge spells every field in kebab-case. */
    public static final ObjectMapper JSON =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                    .configure(
                            com.fasterxml.jackson.databind.SerializationFeature
                                    .WRITE_DATES_AS_TIMESTAMPS,
                            false)
                    .build();

    private static final int MAX_EVENT_BYTES = 256 * 1024; // EventBridge's own limit
    private static final java.util.regex.Pattern EVENT_ID =
            java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private EventParser() {}

    /**
     * Reads at most one byte more than an event may have, then parses it ({@link
     * #readTree(byte[])}).
     */
    public static JsonNode readTree(InputStream in) {
        try {
            return readTree(in.readNBytes(MAX_EVENT_BYTES + 1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Parses bytes into a tree; not JSON, empty or too large is malformed. */
    public static JsonNode readTree(byte[] bytes) {
        try {
            if (bytes.length > MAX_EVENT_BYTES) {
                throw new MalformedEventException(
                        "event is larger than " + MAX_EVENT_BYTES + " bytes");
            }
            if (bytes.length == 0) {
                throw new MalformedEventException("event is empty");
            }
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new MalformedEventException("event is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(
                    "event is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // cannot happen reading a byte array
        }
    }

    /**
     * Reads the envelope and its detail. The source and detail-type must be one of the accepted
     * pairs.
     */
    public static <T> AwsEvent<T> parse(
            JsonNode node, Class<T> detailType, String source, Set<String> detailTypes) {
        String id = requiredText(node, "id");
        if (!EVENT_ID.matcher(id).matches()) {
            throw new MalformedEventException(
                    "event id '"
                            + Validation.abbreviate(id)
                            + "' is not an EventBridge id (1-128 of A-Z a-z 0-9 . _ : -)");
        }
        String actualSource = requiredText(node, "source");
        String actualType = requiredText(node, "detail-type");
        if (!source.equals(actualSource) || !detailTypes.contains(actualType)) {
            throw new MalformedEventException(
                    "expected source '"
                            + source
                            + "' with detail-type "
                            + detailTypes
                            + " but got source '"
                            + Validation.abbreviate(actualSource)
                            + "' with detail-type '"
                            + Validation.abbreviate(actualType)
                            + "'");
        }
        Instant time = parseTime(requiredText(node, "time"));
        JsonNode detail = node.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new MalformedEventException("event " + id + " has no detail object");
        }
        T typed;
        try {
            typed = JSON.treeToValue(detail, detailType);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(
                    "event "
                            + id
                            + " has a detail that does not fit "
                            + detailType.getSimpleName()
                            + ": "
                            + e.getOriginalMessage(),
                    e);
        }
        List<String> resources = new ArrayList<>();
        node.path("resources").forEach(r -> resources.add(r.asText()));
        return new AwsEvent<>(
                id,
                actualSource,
                actualType,
                node.path("account").asText(""),
                time,
                node.path("region").asText(""),
                List.copyOf(resources),
                typed);
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new MalformedEventException(
                    "event has no '"
                            + field
                            + "' (an EventBridge envelope needs id, source, detail-type, time, detail)");
        }
        return value.asText();
    }

    private static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedEventException(
                    "event time '"
                            + Validation.abbreviate(text)
                            + "' is not an ISO-8601 instant like 2026-11-23T10:00:00Z");
        }
    }
}
