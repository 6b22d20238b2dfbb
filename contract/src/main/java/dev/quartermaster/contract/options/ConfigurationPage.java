package dev.quartermaster.contract.options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * docs/configuration.md's table, generated from the declarations between {@value #BEGIN} and
 * {@value #END}. {@code ConfigurationPageTest} fails when the page differs and rewrites it when run
 * with {@code -Dqm.writeDocs=true}; {@link #main} rewrites it too (from the repository root, the
 * contract module's classes on the class path).
 */
public final class ConfigurationPage {
    public static final String BEGIN = "<!-- options:begin -->";
    public static final String END = "<!-- options:end -->";
    public static final String FILE = "docs/configuration.md";

    private ConfigurationPage() {}

    /** {@code page} with the text between the markers replaced by {@code table}. */
    public static String withTable(String page, String table) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(
                    FILE
                            + " needs the markers "
                            + BEGIN
                            + " and "
                            + END
                            + " around the configuration table");
        }
        return page.substring(0, begin + BEGIN.length()) + "\n" + table + page.substring(end);
    }

    /** The table between the markers of {@code page}. */
    public static String table(String page) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(
                    FILE
                            + " needs the markers "
                            + BEGIN
                            + " and "
                            + END
                            + " around the configuration table");
        }
        return page.substring(begin + BEGIN.length(), end).strip() + "\n";
    }

    /**
     * Rewrites the table of the page at {@code args[0]} (default: docs/configuration.md under the
     * working directory).
     */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : FILE);
        String page = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, withTable(page, Options.markdownTable()), StandardCharsets.UTF_8);
    }
}
