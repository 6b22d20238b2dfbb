package dev.quartermaster.events;

import java.util.regex.Pattern;

/** The shapes ECR itself enforces; anything else cannot have come from ECR. */
public final class Validation {
    public static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    /** ECR repository names: lowercase path components separated by / . _ - */
    public static final Pattern REPOSITORY =
            Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");

    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,299}");

    private Validation() {}

    public static String repository(String name) {
        if (name == null || name.isEmpty()) {
            throw new MalformedEventException("detail has no repository-name");
        }
        if (name.length() < 2 || name.length() > 256 || !REPOSITORY.matcher(name).matches()) {
            throw new MalformedEventException(
                    "repository-name '"
                            + abbreviate(name)
                            + "' is not a valid ECR repository name (2-256 chars of a-z 0-9 and . _ - /, no leading or trailing separator)");
        }
        return name;
    }

    public static String digest(String digest) {
        if (digest == null || digest.isEmpty()) {
            throw new MalformedEventException("detail has no image-digest");
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new MalformedEventException(
                    "image-digest '"
                            + abbreviate(digest)
                            + "' is not sha256: followed by 64 lowercase hex digits");
        }
        return digest;
    }

    /** Empty or absent tags are allowed (digest-only pushes); a present tag must be valid. */
    public static String optionalTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            return "";
        }
        if (!TAG.matcher(tag).matches()) {
            throw new MalformedEventException(
                    "image-tag '"
                            + abbreviate(tag)
                            + "' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]*, at most 300 chars)");
        }
        return tag;
    }

    /** A present tag must be valid; empty ones are dropped. */
    public static java.util.List<String> tags(java.util.List<String> tags) {
        if (tags == null) {
            return java.util.List.of();
        }
        if (tags.size() > 1000) {
            throw new MalformedEventException(
                    "image-tags lists " + tags.size() + " tags; ECR allows 1000 per image");
        }
        return tags.stream().map(Validation::optionalTag).filter(t -> !t.isEmpty()).toList();
    }

    /** For messages about rejected input: one line, at most 80 characters. */
    public static String abbreviate(String s) {
        return oneLine(s, 80);
    }

    /**
     * Text from outside as one line: every control character (CR, LF, ESC, ...) becomes a space; at
     * most {@code max} characters (with an ellipsis). Here, where input arrives; {@code
     * common.Text} offers it to the rest.
     */
    public static String oneLine(String s, int max) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
        for (int i = 0; i < s.length() && b.length() <= max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return b.length() > max ? b.substring(0, Math.max(0, max - 1)) + "…" : b.toString();
    }
}
