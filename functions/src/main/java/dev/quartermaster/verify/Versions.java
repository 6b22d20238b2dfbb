package dev.quartermaster.verify;

/**
 * Does a found version keep a tag's promise? A promise of one or two parts is a prefix ({@code 6.4}
 * holds for {@code 6.4.3}, not for {@code 6.5.5} nor {@code 6.40.1}); a promise of three or more
 * parts must match exactly ({@code 6.4.3} holds only for {@code 6.4.3}).
 */
public final class Versions {
    private Versions() {}

    /** The longest version the ledger stores. */
    public static final int MAX_LENGTH = 64;

    private static final java.util.regex.Pattern SAFE =
            java.util.regex.Pattern.compile("[0-9A-Za-z.+-]{1," + MAX_LENGTH + "}");

    /**
     * Is a version found inside an image fit to store, log and alert? Only {@code [0-9A-Za-z.+-]},
     * at most 64 characters: anything else (a 600 KB string, CR/LF) is not a version.
     */
    public static boolean isSafe(String found) {
        return found != null && SAFE.matcher(found).matches();
    }

    /**
     * A bounded, printable preview of an unsafe value, for the reason of an UNVERIFIABLE verdict.
     */
    public static String preview(String found) {
        String kept = found == null ? "" : found.replaceAll("[^0-9A-Za-z.+-]", "?");
        return (kept.length() > 24 ? kept.substring(0, 24) + "..." : kept)
                + " ("
                + (found == null ? 0 : found.length())
                + " chars)";
    }

    /**
     * The one definition of a promise kept, shared with the release gate ({@link
     * dev.quartermaster.contract.RuleFormat#keeps}).
     */
    public static boolean keeps(String promised, String found) {
        return dev.quartermaster.contract.RuleFormat.keeps(promised, found);
    }
}
