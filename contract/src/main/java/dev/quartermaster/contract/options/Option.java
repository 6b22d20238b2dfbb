package dev.quartermaster.contract.options;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Setting;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One cdk.json option: its key, type, default, validation (each problem said with its fix), the
 * function settings it feeds and one line of help. {@link Options} declares every option once; the
 * stack and {@code bin/qm} read values only through these declarations (and the slices built from
 * them), never by the key's string.
 *
 * <p>A value is JSON as cdk.json holds it, or text as {@code -c key=value} passes it (cdk passes
 * command-line context values as strings): each type reads both, e.g. an INT from {@code 7} or
 * {@code "7"}, a LIST from {@code ["a","b"]}, {@code '["a","b"]'} or {@code a,b}.
 *
 * @param <T> the value's Java type
 */
public final class Option<T> {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a present value; on a problem it says so and answers the fallback. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(String key, JsonNode raw, T fallback, Problems problems);
    }

    private final String area;
    private final String key;
    private final OptionType type;
    private final T defaultValue;
    private final String defaultText;
    private final String help;
    private final Set<Setting> feeds;
    private final List<String> choices;
    private final Parser<T> parser;
    private final boolean described;

    private Option(
            String area,
            String key,
            OptionType type,
            T defaultValue,
            String defaultText,
            String help,
            Set<Setting> feeds,
            List<String> choices,
            Parser<T> parser) {
        this(area, key, type, defaultValue, defaultText, help, feeds, choices, parser, false);
    }

    private Option(
            String area,
            String key,
            OptionType type,
            T defaultValue,
            String defaultText,
            String help,
            Set<Setting> feeds,
            List<String> choices,
            Parser<T> parser,
            boolean described) {
        if (key == null || !key.matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("option key '" + key + "' must be lowerCamelCase");
        }
        if (help == null || help.isBlank() || help.contains("\n") || help.contains("|")) {
            throw new IllegalArgumentException(key + ": the help is one line without |");
        }
        this.area = area;
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.help = help;
        this.feeds = feeds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(feeds));
        this.choices = List.copyOf(choices);
        this.parser = parser;
        this.described = described;
    }

    public String key() {
        return key;
    }

    /** The capability whose slice reads it (a row group of the configuration table). */
    public String area() {
        return area;
    }

    public OptionType type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /**
     * The default as the configuration table shows it (some depend on other options or on where
     * synth runs).
     */
    public String defaultText() {
        return defaultText;
    }

    public String help() {
        return help;
    }

    /**
     * The function settings this option's value reaches (none: it shapes stack resources or host
     * documents only).
     */
    public Set<Setting> feeds() {
        return feeds;
    }

    /** An ENUM's values. */
    public List<String> choices() {
        return choices;
    }

    /**
     * The same option, its default described in the table as {@code text} (prose, where the value
     * depends on something else).
     */
    public Option<T> shownAs(String text) {
        return new Option<>(
                area, key, type, defaultValue, text, help, feeds, choices, parser, true);
    }

    /**
     * Whether {@link #defaultText()} describes the default in words rather than being its value.
     */
    public boolean defaultDescribed() {
        return described;
    }

    /** The same option feeding these settings too. */
    public Option<T> feeding(Setting... settings) {
        Set<Setting> all = EnumSet.noneOf(Setting.class);
        all.addAll(feeds);
        all.addAll(Arrays.asList(settings));
        return new Option<>(
                area, key, type, defaultValue, defaultText, help, all, choices, parser, described);
    }

    /** The value {@code source} gives (checked, each problem added), else the default. */
    public T read(OptionSource source, Problems problems) {
        return readOr(source, problems, defaultValue);
    }

    /**
     * The value {@code source} gives (checked), else {@code fallback}: for a default that depends
     * on other options.
     */
    public T readOr(OptionSource source, Problems problems, T fallback) {
        JsonNode raw = source.raw(key);
        if (raw == null || raw.isNull()) {
            return fallback;
        }
        return parser.parse(key, raw, fallback, problems);
    }

    /** Whether {@code source} sets this option at all. */
    public boolean isSet(OptionSource source) {
        JsonNode raw = source.raw(key);
        return raw != null && !raw.isNull();
    }

    @Override
    public String toString() {
        return key;
    }

    // ---- the kinds of option ----

    public static Option<Integer> integer(
            String area, String key, int defaultValue, int min, int max, String help) {
        return new Option<>(
                area,
                key,
                OptionType.INT,
                defaultValue,
                Integer.toString(defaultValue),
                help + " (" + min + ".." + max + ")",
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) -> {
                    try {
                        int n = raw.isNumber() ? raw.intValue() : Integer.parseInt(text(raw));
                        if (n < min || n > max) {
                            problems.add(k + ": " + n + " is outside " + min + ".." + max);
                            return fallback;
                        }
                        return n;
                    } catch (NumberFormatException e) {
                        problems.add(
                                k
                                        + ": '"
                                        + text(raw)
                                        + "' is not a whole number (e.g. -c "
                                        + k
                                        + "="
                                        + fallback
                                        + ")");
                        return fallback;
                    }
                });
    }

    public static Option<Boolean> bool(String area, String key, boolean defaultValue, String help) {
        return new Option<>(
                area,
                key,
                OptionType.BOOL,
                defaultValue,
                Boolean.toString(defaultValue),
                help,
                Set.of(),
                List.of("true", "false"),
                (k, raw, fallback, problems) -> {
                    String s = text(raw);
                    if (!s.equals("true") && !s.equals("false")) {
                        problems.add(k + ": must be true or false, not '" + s + "'");
                        return fallback;
                    }
                    return s.equals("true");
                });
    }

    /** Text of any shape (checked by its slice, if at all). */
    public static Option<String> text(String area, String key, String defaultValue, String help) {
        return new Option<>(
                area,
                key,
                OptionType.STRING,
                defaultValue,
                defaultValue,
                help,
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) -> text(raw));
    }

    /** Text matching {@code pattern}, else "key: 'value' is not {@code what}". */
    public static Option<String> matching(
            String area,
            String key,
            String defaultValue,
            Pattern pattern,
            String what,
            String help) {
        return new Option<>(
                area,
                key,
                OptionType.STRING,
                defaultValue,
                defaultValue,
                help,
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) -> {
                    String s = text(raw);
                    if (!pattern.matcher(s).matches()) {
                        problems.add(k + ": '" + s + "' is not " + what);
                    }
                    return s;
                });
    }

    /** As {@link #matching}, or empty. */
    public static Option<String> optionalMatching(
            String area, String key, Pattern pattern, String what, String help) {
        Option<String> m = matching(area, key, "", pattern, what, help);
        return new Option<>(
                area,
                key,
                OptionType.STRING,
                "",
                "",
                help,
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) ->
                        text(raw).isEmpty() ? "" : m.parser.parse(k, raw, fallback, problems));
    }

    private static final Pattern SCHEDULE =
            Pattern.compile(
                    "(cron\\([^)]+\\)|rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\))");

    /** An EventBridge schedule expression. */
    public static Option<String> schedule(
            String area, String key, String defaultValue, String help) {
        return matching(
                area,
                key,
                defaultValue,
                SCHEDULE,
                "an EventBridge schedule; use cron(min hour day month weekday year), e.g. "
                        + defaultValue
                        + ", or rate(1 day)",
                help);
    }

    /** One of {@code choices}; otherwise "key: 'value' is not {@code what}". */
    public static Option<String> choice(
            String area,
            String key,
            String defaultValue,
            List<String> choices,
            String what,
            String help) {
        return choice(
                area,
                key,
                defaultValue,
                choices,
                help,
                (k, s) -> k + ": '" + s + "' is not " + what);
    }

    /** One of {@code choices}; otherwise "key: must be {@code what}, not 'value'". */
    public static Option<String> oneOf(
            String area,
            String key,
            String defaultValue,
            List<String> choices,
            String what,
            String help) {
        return choice(
                area,
                key,
                defaultValue,
                choices,
                help,
                (k, s) -> k + ": must be " + what + ", not '" + s + "'");
    }

    private static Option<String> choice(
            String area,
            String key,
            String defaultValue,
            List<String> choices,
            String help,
            java.util.function.BinaryOperator<String> complaint) {
        return new Option<>(
                area,
                key,
                OptionType.ENUM,
                defaultValue,
                defaultValue,
                help,
                Set.of(),
                choices,
                (k, raw, fallback, problems) -> {
                    String s = text(raw);
                    if (!choices.contains(s)) {
                        problems.add(complaint.apply(k, s));
                        return fallback;
                    }
                    return s;
                });
    }

    /** A list of text; each item not {@code valid} is "key: 'item' {@code complaint}". */
    public static Option<List<String>> list(
            String area,
            String key,
            List<String> defaultValue,
            Predicate<String> valid,
            String complaint,
            String help) {
        return new Option<>(
                area,
                key,
                OptionType.LIST,
                List.copyOf(defaultValue),
                JSON.valueToTree(defaultValue).toString(),
                help,
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) -> {
                    List<String> items = items(k, raw, problems);
                    if (items == null) {
                        return fallback;
                    }
                    items.stream()
                            .filter(valid.negate())
                            .forEach(i -> problems.add(k + ": '" + i + "' " + complaint));
                    return items;
                });
    }

    /** A JSON structure, as its text (its slice parses and checks it). */
    public static Option<String> json(String area, String key, String defaultValue, String help) {
        return new Option<>(
                area,
                key,
                OptionType.JSON,
                defaultValue,
                defaultValue,
                help,
                Set.of(),
                List.of(),
                (k, raw, fallback, problems) -> text(raw));
    }

    /** A value as text: a string trimmed, a list or object as its JSON. */
    static String text(JsonNode raw) {
        return raw.isContainerNode() ? raw.toString() : raw.asText().trim();
    }

    private static List<String> items(String key, JsonNode raw, Problems problems) {
        JsonNode list = raw;
        if (!raw.isArray()) {
            String text = text(raw);
            if (!text.startsWith("[")) {
                return Arrays.stream(text.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList();
            }
            try { // -c key='["a","b"]'
                list = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                list = null;
            }
            if (list == null || !list.isArray()) {
                problems.add(
                        key
                                + ": '"
                                + text
                                + "' is not a JSON list (e.g. -c "
                                + key
                                + "='[\"a\",\"b\"]', or a,b)");
                return null;
            }
        }
        List<String> out = new ArrayList<>();
        list.forEach(
                e -> {
                    String s = text(e);
                    if (!s.isEmpty()) {
                        out.add(s);
                    }
                });
        return List.copyOf(out);
    }
}
