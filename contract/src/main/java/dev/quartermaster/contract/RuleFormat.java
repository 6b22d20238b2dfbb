package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The verify-rule format, parsed and validated in one place: {@code cdk synth} checks the rules in
 * cdk.json with it (a typo fails the synth, not the first push), and the function builds its rules
 * from it. A rule: {@code repository} (name, prefix* or *), {@code tagPattern} with a named group
 * {@code (?<version>...)}, {@code source} file|label|env, then {@code path}+{@code regex} for a
 * file or {@code key} (+ optional {@code regex}) for a label or env var.
 */
public final class RuleFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Source {
        FILE,
        LABEL,
        ENV
    }

    /** One rule as written, validated: the patterns compile and carry the version group. */
    public record Rule(
            String repository,
            Pattern tagPattern,
            Source source,
            String path,
            String key,
            Pattern regex) {
        /**
         * Whether the rule is for {@code repo}: its name, {@code *}, or a prefix ending in {@code
         * *}.
         */
        public boolean appliesTo(String repo) {
            return RuleFormat.appliesTo(repository, repo);
        }
    }

    /** What a tag promises: the version its rule's pattern captures, and that rule. */
    public record Promise(Rule rule, String version) {}

    /**
     * Whether a rule written for {@code pattern} is for {@code repo}: the name, {@code *}, or a
     * prefix ending in {@code *}.
     */
    public static boolean appliesTo(String pattern, String repo) {
        return pattern.equals("*")
                || pattern.equals(repo)
                || (pattern.endsWith("*")
                        && repo.startsWith(pattern.substring(0, pattern.length() - 1)));
    }

    /**
     * The promise of {@code tag} under {@code rules}: the first rule for the repository whose
     * pattern matches (image-verify's order).
     */
    public static Optional<Promise> promise(List<Rule> rules, String repository, String tag) {
        for (Rule r : rules) {
            if (r.appliesTo(repository)) {
                java.util.regex.Matcher m = r.tagPattern().matcher(tag);
                if (m.matches() && m.group("version") != null) {
                    return Optional.of(new Promise(r, m.group("version")));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Does a found version keep a tag's promise? A promise of one or two parts is a prefix ({@code
     * 6.4} holds for {@code 6.4.3}, not for {@code 6.5.5} nor {@code 6.40.1}); a promise of three
     * or more parts must match exactly.
     */
    public static boolean keeps(String promised, String found) {
        if (promised == null || found == null) {
            return false;
        }
        String[] p = promised.trim().split("\\.");
        String[] f = found.trim().split("\\.");
        if (p.length >= 3) {
            return promised.trim().equals(found.trim());
        }
        if (f.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals(f[i])) {
                return false;
            }
        }
        return true;
    }

    private RuleFormat() {}

    /**
     * @throws IllegalArgumentException with "rule N: what is wrong and how to fix it"
     */
    public static List<Rule> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("must be a JSON list of rules");
        }
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root) {
            i++;
            rules.add(rule(r, "rule " + i + ": "));
        }
        return rules;
    }

    /**
     * The first problem with {@code json}, if any (for configuration checks that collect every
     * error).
     */
    public static Optional<String> problem(String json) {
        try {
            parse(json);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static Rule rule(JsonNode r, String where) {
        for (String field : new String[] {"repository", "tagPattern", "source"}) {
            if (!r.path(field).isTextual()) {
                throw new IllegalArgumentException(where + "needs \"" + field + "\"");
            }
        }
        Source source;
        try {
            source = Source.valueOf(r.path("source").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    where
                            + "source '"
                            + r.path("source").asText()
                            + "' must be one of file, label, env");
        }
        Pattern tag = compile(r.path("tagPattern").asText(), where + "tagPattern");
        String path = text(r, "path");
        String key = text(r, "key");
        String regex = text(r, "regex");
        if (source == Source.FILE && (path == null || regex == null)) {
            throw new IllegalArgumentException(
                    where
                            + "a file rule needs \"path\" (inside the image, e.g. "
                            + "usr/src/wordpress/wp-includes/version.php) and \"regex\"");
        }
        if (source != Source.FILE && key == null) {
            String s = source.name().toLowerCase(Locale.ROOT);
            throw new IllegalArgumentException(
                    where + "a " + s + " rule needs \"key\" (the " + s + " name)");
        }
        return new Rule(
                r.path("repository").asText(),
                tag,
                source,
                path,
                key,
                regex == null ? null : compile(regex, where + "regex"));
    }

    private static String text(JsonNode r, String field) {
        JsonNode n = r.path(field);
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : null;
    }

    private static Pattern compile(String regex, String what) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    what + " is not a valid regular expression: " + e.getDescription());
        }
        if (!regex.contains("(?<version>")) {
            throw new IllegalArgumentException(
                    what + " needs a named group (?<version>...) for the version");
        }
        return p;
    }
}
