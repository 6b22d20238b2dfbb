package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks the shape of the verification rules at synth, so a typo fails {@code cdk synth} rather than
 * the first push. The function parses the same JSON into its rule objects.
 */
final class VerifyRulesCheck {
    private static final Set<String> SOURCES = Set.of("file", "label", "env");

    private VerifyRulesCheck() {
    }

    static Optional<String> check(String json) {
        JsonNode rules;
        try {
            rules = Config.JSON.readTree(json);
        } catch (Exception e) {
            return Optional.of("not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (!rules.isArray()) {
            return Optional.of("must be a JSON list of rules");
        }
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String where = "rule " + (i + 1) + ": ";
            for (String field : new String[]{"repository", "tagPattern", "source"}) {
                if (!r.path(field).isTextual()) {
                    return Optional.of(where + "needs \"" + field + "\"");
                }
            }
            Optional<String> bad = regex(r.path("tagPattern").asText(), where + "tagPattern");
            if (bad.isPresent()) {
                return bad;
            }
            String source = r.path("source").asText();
            if (!SOURCES.contains(source)) {
                return Optional.of(where + "source '" + source + "' must be one of file, label, env");
            }
            if (source.equals("file")) {
                if (!r.path("path").isTextual() || !r.path("regex").isTextual()) {
                    return Optional.of(where + "a file rule needs \"path\" (inside the image, e.g. usr/src/wordpress/wp-includes/version.php) and \"regex\"");
                }
                bad = regex(r.path("regex").asText(), where + "regex");
                if (bad.isPresent()) {
                    return bad;
                }
            } else if (!r.path("key").isTextual()) {
                return Optional.of(where + "a " + source + " rule needs \"key\" (the " + source + " name)");
            } else if (r.path("regex").isTextual()) {
                bad = regex(r.path("regex").asText(), where + "regex");
                if (bad.isPresent()) {
                    return bad;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> regex(String regex, String what) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return Optional.of(what + " is not a valid regular expression: " + e.getDescription());
        }
        return regex.contains("(?<version>") ? Optional.empty()
                : Optional.of(what + " needs a named group (?<version>...) for the version");
    }
}
