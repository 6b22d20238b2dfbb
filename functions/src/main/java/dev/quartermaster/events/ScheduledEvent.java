package dev.quartermaster.events;

import java.util.Map;
import java.util.Set;

/**
 * {@code source=aws.events, detail-type=Scheduled Event}: an EventBridge schedule fired; the detail
 * is empty.
 */
public final class ScheduledEvent {
    public static final String SOURCE = "aws.events";
    public static final String DETAIL_TYPE = "Scheduled Event";

    private ScheduledEvent() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static AwsEvent<Map<String, Object>> parse(
            com.fasterxml.jackson.databind.JsonNode json) {
        return (AwsEvent) EventParser.parse(json, Map.class, SOURCE, Set.of(DETAIL_TYPE));
    }
}
