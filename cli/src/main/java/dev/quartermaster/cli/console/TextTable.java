package dev.quartermaster.cli.console;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Aligned plain-text columns for terminal output. A cell longer than {@link #MAX_CELL} characters
 * (a 300-character tag) is cut with an ellipsis, and control characters become spaces, so one long
 * or hostile value cannot wreck the table; {@code --output json} keeps every value whole.
 */
public final class TextTable {
    static final int MAX_CELL = 48;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this.header = List.of(header);
    }

    public TextTable row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(
                    c == null
                            ? "-"
                            : dev.quartermaster.common.Text.oneLine(String.valueOf(c), MAX_CELL));
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    public void print(PrintStream out, String indent) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            widths[i] = header.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        out.println(indent + line(header, widths));
        for (List<String> r : rows) {
            out.println(indent + line(r, widths));
        }
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(widths[i] - c.length() + 2));
            }
        }
        return sb.toString().stripTrailing();
    }

    public static String shortDigest(String digest) {
        if (digest == null) {
            return "-";
        }
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
