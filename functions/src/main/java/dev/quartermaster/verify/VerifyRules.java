package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The rule set, parsed from the JSON the stack passes in VERIFY_RULES (the same JSON cdk.json holds). */
public final class VerifyRules {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<VerifyRule> rules;

    private VerifyRules(List<VerifyRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The rules that ship with the product: the official WordPress image's version.php. */
    public static VerifyRules defaults() {
        try (InputStream in = VerifyRules.class.getResourceAsStream("/default-verify-rules.json")) {
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static VerifyRules parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("VERIFY_RULES is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("VERIFY_RULES must be a JSON list of rules");
        }
        List<VerifyRule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root) {
            i++;
            String where = "VERIFY_RULES rule " + i + ": ";
            VerifyRule.Source source;
            try {
                source = VerifyRule.Source.valueOf(r.path("source").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "source must be file, label or env");
            }
            Pattern tag = compile(r.path("tagPattern").asText(null), where + "tagPattern", true);
            Pattern regex = compile(r.path("regex").asText(null), where + "regex", source == VerifyRule.Source.FILE);
            String path = r.path("path").asText(null);
            String key = r.path("key").asText(null);
            if (source == VerifyRule.Source.FILE && (path == null || path.isBlank())) {
                throw new IllegalArgumentException(where + "a file rule needs a path");
            }
            if (source != VerifyRule.Source.FILE && (key == null || key.isBlank())) {
                throw new IllegalArgumentException(where + "a " + source.name().toLowerCase(Locale.ROOT) + " rule needs a key");
            }
            rules.add(new VerifyRule(r.path("repository").asText("*"), tag, source,
                    path == null ? null : normalize(path), key, regex));
        }
        return new VerifyRules(rules);
    }

    private static Pattern compile(String regex, String what, boolean required) {
        if (regex == null) {
            if (required) {
                throw new IllegalArgumentException(what + " is missing");
            }
            return null;
        }
        if (!regex.contains("(?<version>")) {
            throw new IllegalArgumentException(what + " needs a named group (?<version>...)");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " is not a regular expression: " + e.getDescription());
        }
    }

    /** Paths inside layers have no leading slash or ./ */
    static String normalize(String path) {
        return LayerPaths.clean(path);
    }

    /** The first rule for this repository whose tag pattern matches, with the promised version. */
    public Optional<Match> match(String repository, String tag) {
        for (VerifyRule r : rules) {
            if (r.appliesTo(repository)) {
                Optional<String> promise = r.promise(tag);
                if (promise.isPresent()) {
                    return Optional.of(new Match(r, promise.get()));
                }
            }
        }
        return Optional.empty();
    }

    public record Match(VerifyRule rule, String promised) {
    }
}
