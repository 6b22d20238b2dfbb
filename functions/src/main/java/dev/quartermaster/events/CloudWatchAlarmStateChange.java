package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Set;

/**
 * {@code source=aws.cloudwatch, detail-type=CloudWatch Alarm State Change}: one of the stack's
 * alarms changed state (CloudWatch user guide, "Alarm events and EventBridge"). The detail's fields
 * are camelCase: read by hand.
 */
public record CloudWatchAlarmStateChange(
        String alarmName,
        String description,
        String state,
        String reason,
        String previousState,
        Instant at) {
    public static final String SOURCE = "aws.cloudwatch";
    public static final String DETAIL_TYPE = "CloudWatch Alarm State Change";
    static final java.util.regex.Pattern STATE =
            java.util.regex.Pattern.compile("OK|ALARM|INSUFFICIENT_DATA");

    /** Reads and checks the event; a missing alarm name or an unknown state is malformed. */
    public static CloudWatchAlarmStateChange parse(JsonNode json) {
        AwsEvent<JsonNode> e = EventParser.parse(json, JsonNode.class, SOURCE, Set.of(DETAIL_TYPE));
        JsonNode d = e.detail();
        String name = d.path("alarmName").asText("");
        if (name.isBlank() || name.length() > 255) {
            throw new MalformedEventException(
                    "alarm state change without an alarm name (1..255 characters)");
        }
        String state = d.path("state").path("value").asText("");
        if (!STATE.matcher(state).matches()) {
            throw new MalformedEventException(
                    "alarm state '"
                            + Validation.abbreviate(state)
                            + "' is not OK, ALARM or INSUFFICIENT_DATA");
        }
        String previous = d.path("previousState").path("value").asText(null);
        return new CloudWatchAlarmStateChange(
                name,
                d.path("configuration").path("description").asText(null),
                state,
                d.path("state").path("reason").asText(null),
                previous,
                e.time());
    }
}
