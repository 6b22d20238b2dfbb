package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ECR's lifecycle policy at work: CloudTrail's {@code PolicyExecutionEvent} (eventType
 * AwsServiceEvent), delivered to EventBridge as {@code source=aws.ecr, detail-type=AWS Service
 * Event via CloudTrail}. Each event lists the images one run of the policy acted on (ECR splits a
 * run into several events past ten images), each with the rule that acted; the action (expire, or
 * transition to the archive storage class) is the rule's, found in the policy the event carries.
 */
public record EcrPolicyExecution(
        String eventId, String repository, Instant at, List<Acted> images) {
    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "AWS Service Event via CloudTrail";
    public static final String EVENT_NAME = "PolicyExecutionEvent";

    /** ECR sends at most ten per event; more than this is not ECR's. */
    static final int MAX_IMAGES = 100;

    static final int MAX_TAGS = 100;

    /** One image the policy acted on: {@code action} is {@code expire} or {@code transition}. */
    public record Acted(
            String digest, List<String> tags, Instant pushedAt, int rulePriority, String action) {
        public boolean expired() {
            return "expire".equals(action);
        }
    }

    public static EcrPolicyExecution parse(JsonNode json) {
        AwsEvent<JsonNode> e = EventParser.parse(json, JsonNode.class, SOURCE, Set.of(DETAIL_TYPE));
        JsonNode d = e.detail();
        if (!EVENT_NAME.equals(d.path("eventName").asText())) {
            throw new MalformedEventException(
                    "eventName '"
                            + Validation.abbreviate(d.path("eventName").asText())
                            + "' is not "
                            + EVENT_NAME);
        }
        JsonNode details = d.path("serviceEventDetails");
        String repository = Validation.repository(details.path("repositoryName").asText(null));
        Map<Integer, String> actions = new HashMap<>();
        for (JsonNode rule : details.path("lifecycleEventPolicy").path("lifecycleEventRules")) {
            if (actions.size() >= MAX_IMAGES) {
                break;
            }
            actions.put(
                    rule.path("rulePriority").asInt(-1),
                    action(rule.path("action").asText("expire")));
        }
        JsonNode acted = details.path("lifecycleEventImageActions");
        if (!acted.isArray()) {
            throw new MalformedEventException(
                    "event " + e.id() + " has no lifecycleEventImageActions list");
        }
        if (acted.size() > MAX_IMAGES) {
            throw new MalformedEventException(
                    "event "
                            + e.id()
                            + " lists "
                            + acted.size()
                            + " images; ECR sends at most 10 per event");
        }
        List<Acted> images = new ArrayList<>();
        for (JsonNode a : acted) {
            JsonNode image = a.path("lifecycleEventImage");
            List<String> tags = new ArrayList<>();
            JsonNode tagList = image.path("tagList");
            if (tagList.size() > MAX_TAGS) {
                throw new MalformedEventException(
                        "an image in event "
                                + e.id()
                                + " lists "
                                + tagList.size()
                                + " tags; ECR allows 100");
            }
            tagList.forEach(t -> tags.add(t.asText()));
            int priority = a.path("rulePriority").asInt(-1);
            long pushed = image.path("pushedAt").asLong(0);
            images.add(
                    new Acted(
                            Validation.digest(image.path("digest").asText(null)),
                            Validation.tags(tags),
                            pushed > 0 ? Instant.ofEpochMilli(pushed) : null,
                            priority,
                            actions.getOrDefault(priority, "expire")));
        }
        return new EcrPolicyExecution(e.id(), repository, e.time(), List.copyOf(images));
    }

    private static String action(String a) {
        String s = a.toLowerCase(java.util.Locale.ROOT);
        return s.equals("transition")
                ? "transition"
                : "expire"; // anything ECR may add later is treated as the worst case
    }
}
