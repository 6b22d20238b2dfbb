package dev.quartermaster.contract.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The raw option values, by key: cdk.json's {@code "context"} with {@code -c key=value} overrides
 * (the last wins; cdk passes them as strings) for {@code bin/qm}, or the CDK app node's context for
 * synth; plus fallbacks that apply only where a key is unset (synth's account and region, the local
 * stand-ins' defaults). Keys nobody declared are refused with the closest declared key ({@link
 * #unknownKeys}); CDK's own context keys are exempt.
 */
public final class OptionSource {
    /**
     * Context keys of CDK itself (feature flags, CLI settings, lookups cached in cdk.context.json),
     * never Quartermaster's.
     */
    static final Set<String> CDK_KEYS = Set.of("cli-telemetry", "acknowledged-issue-numbers");

    private final Map<String, JsonNode> values;
    private final Map<String, JsonNode> fallbacks;

    private OptionSource(Map<String, JsonNode> values, Map<String, JsonNode> fallbacks) {
        this.values = Map.copyOf(values);
        this.fallbacks = Map.copyOf(fallbacks);
    }

    /**
     * Values as Java objects (String, Number, Boolean, List, Map), e.g. the CDK node's {@code
     * getAllContext()}.
     */
    public static OptionSource of(Map<String, ?> context) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (context != null) {
            context.forEach(
                    (k, v) -> {
                        if (v != null) {
                            values.put(k, Option.JSON.valueToTree(v));
                        }
                    });
        }
        return new OptionSource(values, Map.of());
    }

    /**
     * cdk.json's {@code "context"} object with {@code key=value} overrides (the last wins), as cdk
     * gives them to the app.
     */
    public static OptionSource cdkJson(JsonNode context, List<String> overrides) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (context != null && context.isObject()) {
            context.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
        }
        for (String o : overrides == null ? List.<String>of() : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("-c " + o + ": write -c key=value");
            }
            values.put(o.substring(0, eq), TextNode.valueOf(o.substring(eq + 1)));
        }
        return new OptionSource(values, Map.of());
    }

    /** The project's cdk.json (none: no context) with these overrides. */
    public static OptionSource cdkJson(Path projectDir, List<String> overrides) {
        Path file = projectDir.resolve("cdk.json");
        try {
            JsonNode root =
                    Files.isRegularFile(file)
                            ? Option.JSON.readTree(file.toFile())
                            : Option.JSON.createObjectNode();
            return cdkJson(root.path("context"), overrides);
        } catch (IOException e) {
            throw new UncheckedIOException("cdk.json is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * This source, answering {@code value} for {@code option} where nothing sets it (null or blank:
     * no fallback).
     */
    public OptionSource withFallback(Option<?> option, Object value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            return this;
        }
        Map<String, JsonNode> more = new LinkedHashMap<>(fallbacks);
        more.put(option.key(), Option.JSON.valueToTree(value));
        return new OptionSource(values, more);
    }

    /** The value of {@code key}: set, else its fallback, else null. */
    public JsonNode raw(String key) {
        JsonNode v = values.get(key);
        return v != null && !v.isNull() ? v : fallbacks.get(key);
    }

    /** The keys set (fallbacks aside). */
    public Set<String> keys() {
        return values.keySet();
    }

    /** A problem for each key set here that no declaration names, with the closest declared key. */
    public List<String> unknownKeys(Collection<Option<?>> declared) {
        List<String> known = declared.stream().map(Option::key).toList();
        return values.keySet().stream()
                .filter(k -> !known.contains(k) && !cdkOwn(k))
                .sorted()
                .map(
                        k ->
                                "unknown option '"
                                        + k
                                        + "' — did you mean '"
                                        + closest(k, known)
                                        + "'? (every option: docs/configuration.md)")
                .toList();
    }

    /**
     * CDK's own keys: feature flags ({@code @aws-cdk/...}), {@code aws:cdk:...} settings, cached
     * lookups ({@code kind:account=...}).
     */
    static boolean cdkOwn(String key) {
        return key.startsWith("@") || key.contains(":") || CDK_KEYS.contains(key);
    }

    /** The declared key nearest to {@code key} by edit distance (case-insensitive). */
    static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d =
                    distance(
                            key.toLowerCase(java.util.Locale.ROOT),
                            k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
