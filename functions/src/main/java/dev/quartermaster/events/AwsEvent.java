package dev.quartermaster.events;

import java.time.Instant;
import java.util.List;

/**
 * The EventBridge envelope with a typed {@code detail}.
 *
 * @param <T> the record the detail was read into
 */
public record AwsEvent<T>(
        String id,
        String source,
        String detailType,
        String account,
        Instant time,
        String region,
        List<String> resources,
        T detail) {}
