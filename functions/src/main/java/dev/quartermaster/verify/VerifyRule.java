package dev.quartermaster.verify;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tag promises and where the truth is. {@code tagPattern} has a named group {@code version}
 * (the promise); the truth is a file in the layers ({@code path} + {@code regex}), an OCI label or
 * an env var of the image config ({@code key}, optional {@code regex} to extract the version).
 */
public record VerifyRule(
        String repository,
        Pattern tagPattern,
        Source source,
        String path,
        String key,
        Pattern regex) {

    public enum Source {
        FILE,
        LABEL,
        ENV
    }

    public boolean appliesTo(String repo) {
        return dev.quartermaster.contract.RuleFormat.appliesTo(repository, repo);
    }

    /** The version the tag promises, if this rule's pattern matches the tag. */
    public Optional<String> promise(String tag) {
        Matcher m = tagPattern.matcher(tag);
        return m.matches() ? Optional.ofNullable(m.group("version")) : Optional.empty();
    }

    /** The version in {@code text} (file content, label or env value), if any. */
    public Optional<String> extract(String text) {
        if (regex == null) {
            return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.trim());
        }
        Matcher m = regex.matcher(text);
        return m.find() ? Optional.ofNullable(m.group("version")) : Optional.empty();
    }

    public String describe() {
        return switch (source) {
            case FILE -> "file " + path;
            case LABEL -> "label " + key;
            case ENV -> "env " + key;
        };
    }
}
