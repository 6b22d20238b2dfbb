package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.events.EventParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** cdk.json's context as the stack reads it, with {@code -c key=value} overrides as cdk takes them. */
public final class CdkContext {
    private final JsonNode context;
    private final List<String> overrides;

    private CdkContext(JsonNode context, List<String> overrides) {
        this.context = context;
        this.overrides = List.copyOf(overrides);
        for (String o : overrides) {
            if (!o.contains("=") || o.startsWith("=")) {
                throw new IllegalArgumentException("-c " + o + ": write -c key=value");
            }
        }
    }

    /** @param home the project's directory (cdk.json's) */
    public static CdkContext read(Path home, List<String> overrides) {
        Path file = home.resolve("cdk.json");
        try {
            JsonNode root = Files.isRegularFile(file) ? EventParser.JSON.readTree(file.toFile()) : EventParser.JSON.createObjectNode();
            return new CdkContext(root.path("context"), overrides == null ? List.of() : overrides);
        } catch (IOException e) {
            throw new IllegalStateException("cdk.json is unreadable: " + e.getMessage(), e);
        }
    }

    /** The value as text (a list or object as its JSON), the last -c override winning; null when unset. */
    public String text(String key) {
        for (int i = overrides.size() - 1; i >= 0; i--) {
            if (overrides.get(i).startsWith(key + "=")) {
                return overrides.get(i).substring(key.length() + 1);
            }
        }
        JsonNode n = context.get(key);
        return n == null || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
    }

    public int integer(String key, int fallback) {
        String v = text(key);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "='" + v + "' is not a whole number");
        }
    }

    /** The repositories' lifecycle rules, as the stack builds them (protection first). */
    public LifecycleRules lifecycle() {
        String rules = text("lifecycleRules");
        if (rules == null || rules.isBlank() || rules.trim().equals("[]")) {
            return LifecycleRules.defaults(integer("untaggedExpiryDays", 7), integer("keepTaggedImages", 50));
        }
        return LifecycleRules.parse(rules);
    }
}
