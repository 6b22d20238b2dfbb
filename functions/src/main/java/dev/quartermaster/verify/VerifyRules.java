package dev.quartermaster.verify;

import dev.quartermaster.contract.RuleFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rule set, parsed from the JSON the stack passes in VERIFY_RULES (the same JSON cdk.json
 * holds).
 */
public final class VerifyRules {
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

    /**
     * Builds the rules from their JSON with the one parser infra also validates cdk.json with
     * ({@link RuleFormat}).
     */
    public static VerifyRules parse(String json) {
        List<VerifyRule> rules = new ArrayList<>();
        try {
            for (RuleFormat.Rule r : RuleFormat.parse(json)) {
                rules.add(
                        new VerifyRule(
                                r.repository(),
                                r.tagPattern(),
                                VerifyRule.Source.valueOf(r.source().name()),
                                r.path() == null ? null : normalize(r.path()),
                                r.key(),
                                r.regex()));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VERIFY_RULES " + e.getMessage(), e);
        }
        return new VerifyRules(rules);
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

    public record Match(VerifyRule rule, String promised) {}
}
