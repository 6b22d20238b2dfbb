package dev.quartermaster.common;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler did with one event; returned as the function's JSON result and logged. RECORDED
 * and IGNORED and DUPLICATE are success; REJECTED means the input can never succeed.
 */
public record Outcome(Status status, String message, Map<String, Object> details) {

    public enum Status {
        RECORDED,
        DUPLICATE,
        IGNORED,
        REJECTED
    }

    public Outcome {
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static Outcome recorded(String message, Map<String, Object> details) {
        return new Outcome(Status.RECORDED, message, details);
    }

    public static Outcome duplicate(String message) {
        return new Outcome(Status.DUPLICATE, message, Map.of());
    }

    public static Outcome ignored(String message) {
        return new Outcome(Status.IGNORED, message, Map.of());
    }

    public static Outcome rejected(String reason) {
        return new Outcome(Status.REJECTED, reason, Map.of());
    }
}
