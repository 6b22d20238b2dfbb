package dev.quartermaster.contract.options;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.contract.HostDocument;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static dev.quartermaster.contract.options.Options.RELEASE_HOOKS;

/**
 * The release's hooks ({@code releaseHooks}): commands run inside the app container on the host by
 * release.sh, each optional. {@code beforeSwitch} runs in the running (old) container after the new
 * image is pulled and before anything is stopped; {@code afterSwitch} in the new container once it
 * is proven; {@code beforeRollback} in the container that runs when a release rolls back.
 *
 * <p>A hook is fixed document content, never a parameter, and never shell text: words of letters,
 * digits and {@code _ . / : = @ % + , -} separated by single spaces, the first not starting with
 * {@code -}, at most {@link #MAX_LENGTH} characters. The host runs them as an argument vector
 * ({@code docker exec CONTAINER WORD...}) without a shell; logic that needs one belongs in a script
 * inside the image. release.sh checks the same rule again before it runs one.
 */
public record ReleaseHooks(String beforeSwitch, String afterSwitch, String beforeRollback) {
    /** No hooks (the default). */
    public static final ReleaseHooks NONE = new ReleaseHooks("", "", "");

    /** The longest hook, in characters. */
    public static final int MAX_LENGTH = 256;

    /** The most words in a hook (the command and its arguments). */
    public static final int MAX_WORDS = 32;

    /**
     * Each hook's variable in the release document (site variables, set only for a hook that is
     * set), as release.sh reads them.
     */
    public static final String BEFORE_SWITCH_VAR = HostDocument.Site.HOOKS.get(0);

    public static final String AFTER_SWITCH_VAR = HostDocument.Site.HOOKS.get(1);
    public static final String BEFORE_ROLLBACK_VAR = HostDocument.Site.HOOKS.get(2);

    /** One word: the safe characters, as release.sh's check spells them too. */
    static final Pattern WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private static final String SAFE = "letters, digits and _ . / : = @ % + , -";

    public ReleaseHooks {
        beforeSwitch = beforeSwitch == null ? "" : beforeSwitch;
        afterSwitch = afterSwitch == null ? "" : afterSwitch;
        beforeRollback = beforeRollback == null ? "" : beforeRollback;
    }

    /** The hook names, as {@code releaseHooks} spells them. */
    public static final List<String> NAMES =
            List.of("beforeSwitch", "afterSwitch", "beforeRollback");

    /**
     * Reads {@code releaseHooks}' value (a JSON object, or empty for none); each problem is said
     * with its fix.
     */
    static ReleaseHooks parse(String text, Problems problems) {
        if (text == null || text.isBlank() || text.replace(" ", "").equals("{}")) {
            return NONE;
        }
        JsonNode node;
        try {
            node = Option.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            problems.add(
                    RELEASE_HOOKS
                            + ": must be a JSON object of up to three commands, e.g. {\"beforeSwitch\":"
                            + " \"wp maintenance-mode activate\"}, not '"
                            + shown(text)
                            + "'");
            return NONE;
        }
        Map<String, String> hooks = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode v = node.get(name);
            if (!NAMES.contains(name)) {
                problems.add(
                        RELEASE_HOOKS
                                + ": unknown hook '"
                                + shown(name)
                                + "' (the hooks are "
                                + String.join(", ", NAMES)
                                + ")");
                continue;
            }
            if (!v.isTextual()) {
                problems.add(
                        RELEASE_HOOKS + "." + name + ": must be a string (the command), not " + v);
                continue;
            }
            String hook = v.asText();
            String complaint = check(hook);
            if (complaint != null) {
                problems.add(RELEASE_HOOKS + "." + name + ": " + complaint);
                continue;
            }
            hooks.put(name, hook);
        }
        return new ReleaseHooks(
                hooks.get("beforeSwitch"), hooks.get("afterSwitch"), hooks.get("beforeRollback"));
    }

    /**
     * Why a hook's text cannot be run as an argument vector, or null when it can (an empty hook is
     * no hook).
     */
    public static String check(String hook) {
        if (hook.isEmpty()) {
            return null;
        }
        if (hook.length() > MAX_LENGTH) {
            return "'"
                    + shown(hook)
                    + "' is "
                    + hook.length()
                    + " characters, more than "
                    + MAX_LENGTH
                    + " (put a longer command in a script inside the image)";
        }
        for (int i = 0; i < hook.length(); i++) {
            char c = hook.charAt(i);
            if (c != ' ' && !WORD.matcher(String.valueOf(c)).matches()) {
                return "'"
                        + shown(hook)
                        + "' contains "
                        + describe(c)
                        + " at position "
                        + (i + 1)
                        + ": a hook is words of "
                        + SAFE
                        + " separated by single spaces, run as a command without a shell (no"
                        + " ; | & $ ` < > quotes, globs or redirections: put shell logic in a script"
                        + " inside the image)";
            }
        }
        if (hook.startsWith(" ") || hook.endsWith(" ") || hook.contains("  ")) {
            return "'"
                    + shown(hook)
                    + "' must be words separated by single spaces, without leading or trailing"
                    + " spaces";
        }
        String[] words = hook.split(" ");
        if (words.length > MAX_WORDS) {
            return "'" + shown(hook) + "' has " + words.length + " words, more than " + MAX_WORDS;
        }
        if (words[0].startsWith("-")) {
            return "'"
                    + shown(hook)
                    + "' starts with '-': the first word is the command, not an option of the"
                    + " container CLI";
        }
        return null;
    }

    private static String describe(char c) {
        if (c == '\'') {
            return "the character ' (a quote)";
        }
        if (c >= 0x21 && c < 0x7f) {
            return "the character '" + c + "'";
        }
        return String.format("the character U+%04X", (int) c);
    }

    /** The text in a message: printable ASCII, bounded. */
    private static String shown(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7E]", "?");
    }

    public boolean isEmpty() {
        return beforeSwitch.isEmpty() && afterSwitch.isEmpty() && beforeRollback.isEmpty();
    }

    /** How many hooks are set (each may take up to the host's hook timeout). */
    public int count() {
        int n = 0;
        for (String h : new String[] {beforeSwitch, afterSwitch, beforeRollback}) {
            n += h.isEmpty() ? 0 : 1;
        }
        return n;
    }

    /**
     * The release document's variables for the hooks that are set (none for a hook that is not:
     * without hooks the document is what it was).
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (!beforeSwitch.isEmpty()) {
            env.put(BEFORE_SWITCH_VAR, beforeSwitch);
        }
        if (!afterSwitch.isEmpty()) {
            env.put(AFTER_SWITCH_VAR, afterSwitch);
        }
        if (!beforeRollback.isEmpty()) {
            env.put(BEFORE_ROLLBACK_VAR, beforeRollback);
        }
        return env;
    }
}
