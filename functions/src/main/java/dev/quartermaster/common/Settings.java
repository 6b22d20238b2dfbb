package dev.quartermaster.common;

import dev.quartermaster.contract.Setting;

import java.util.Map;
import java.util.Optional;

/**
 * The function's configuration: environment variables in Lambda, a plain map in tests and in {@code
 * bin/qm}. One code path reads both.
 */
public final class Settings {
    private final Map<String, String> values;
    private final java.util.function.Consumer<String> onRead;

    private Settings(Map<String, String> values, java.util.function.Consumer<String> onRead) {
        this.values = Map.copyOf(values);
        this.onRead = onRead;
    }

    private Settings(Map<String, String> values) {
        this(values, k -> {});
    }

    /**
     * The same values, telling {@code reads} every key asked for: how the drift test sees what a
     * function reads.
     */
    public Settings recordingReadsInto(java.util.function.Consumer<String> reads) {
        return new Settings(values, reads);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    /**
     * A setting the stack sets: its value, else its one default ({@link Setting#defaultValue()}); a
     * required one must be set.
     */
    public String get(Setting setting) {
        return setting.required()
                ? require(setting.name())
                : getOrDefault(setting.name(), setting.defaultValue());
    }

    public int getInt(Setting setting) {
        return setting.required()
                ? getInt(setting.name(), 0)
                : getInt(setting.name(), setting.intDefault());
    }

    /** A variable Lambda sets (AWS_REGION, credentials, endpoints), or any other by name. */
    public Optional<String> get(String key) {
        onRead.accept(key);
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public String require(String key) {
        return get(key).orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "environment variable "
                                                + key
                                                + " is not set; the CDK stack sets it, set it yourself for a local run"));
    }

    public String getOrDefault(String key, String fallback) {
        return get(key).orElse(fallback);
    }

    public int getInt(String key, int fallback) {
        return get(key).map(
                        v -> {
                            try {
                                return Integer.parseInt(v.trim());
                            } catch (NumberFormatException e) {
                                throw new IllegalStateException(
                                        key + "='" + v + "' is not a whole number");
                            }
                        })
                .orElse(fallback);
    }
}
