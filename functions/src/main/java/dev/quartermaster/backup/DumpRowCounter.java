package dev.quartermaster.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the rows per table in a mariadb-dump stream, exactly as the host's former awk did (and as
 * a restore inserts them): only the data sections count ("-- Dumping data for table `t`" up to its
 * UNLOCK TABLES), only INSERTs into that section's table; inside an INSERT, escaped characters and
 * string literals are removed, then every "(" left opens a row. Identifiers are read as MariaDB
 * quotes them (a doubled backtick is one). Byte semantics: the dump is read as ISO-8859-1, one line
 * at a time. Tables appear in dump order, empty ones with 0. The dump's header also names the dump
 * tool and the server's version ({@link #dumpTool()}, {@link #serverVersion()}): the host need not
 * ask for them.
 */
public final class DumpRowCounter {
    private static final String STRUCTURE = "-- Table structure for table `";
    private static final String DATA = "-- Dumping data for table `";
    private static final String INSERT = "INSERT INTO `";

    private final Map<String, Long> rows = new LinkedHashMap<>();
    private String section = "";
    private String current;
    private boolean inserting;
    private String rest = "";
    private String dumpTool = "";
    private String serverVersion = "";
    private int lines;

    /** Counts a whole dump. */
    public static Map<String, Long> count(InputStream dump) throws IOException {
        return read(dump).rows();
    }

    /** Reads a whole dump: its row counts and its header's facts. */
    private static final java.util.regex.Pattern DATABASE_STATEMENT =
            java.util.regex.Pattern.compile(
                    "\\s*(/\\*!\\d*\\s*)?(USE\\s|(CREATE|DROP|ALTER)\\s+(DATABASE|SCHEMA)\\b)",
                    java.util.regex.Pattern.CASE_INSENSITIVE);

    private final List<String> databaseStatements = new java.util.ArrayList<>();

    public static DumpRowCounter read(InputStream dump) throws IOException {
        DumpRowCounter c = new DumpRowCounter();
        LineReader lines = new LineReader(dump);
        String line;
        while ((line = lines.next()) != null) {
            c.line(line);
        }
        return c;
    }

    public Map<String, Long> rows() {
        return java.util.Collections.unmodifiableMap(rows);
    }

    /**
     * The header's first line without its "-- " (e.g. "MariaDB dump 10.19 Distrib 10.11.6-MariaDB,
     * for debian-linux-gnu (x86_64)"), or "".
     */
    public String dumpTool() {
        return dumpTool;
    }

    /** The header's "Server version" (e.g. "10.11.6-MariaDB-0+deb12u1"), or "". */
    /**
     * Statements that leave or create a database ({@code USE}, {@code CREATE DATABASE}, {@code DROP
     * DATABASE}): a dump of one database made as ours are (no {@code --databases}) has none, and a
     * restore must not run them.
     */
    public List<String> databaseStatements() {
        return List.copyOf(databaseStatements);
    }

    public String serverVersion() {
        return serverVersion;
    }

    void line(String line) {
        if (++lines <= HEADER_LINES) {
            header(line);
        }
        if (!inserting
                && DATABASE_STATEMENT.matcher(line).lookingAt()
                && databaseStatements.size() < 5) {
            databaseStatements.add(dev.quartermaster.common.Text.oneLine(line, 120));
        }
        if (line.startsWith(STRUCTURE)) {
            table(ident(line.substring(STRUCTURE.length())));
            section = "";
            inserting = false;
            return;
        }
        if (line.startsWith(DATA)) {
            section = ident(line.substring(DATA.length()));
            table(section);
            inserting = false;
            return;
        }
        if (line.startsWith("UNLOCK TABLES;")
                || line.startsWith("-- ")
                || line.startsWith("DELIMITER")) {
            section = "";
            inserting = false;
            return;
        }
        String text = null;
        if (!section.isEmpty() && line.startsWith(INSERT)) {
            String name = ident(line.substring(INSERT.length()));
            if (!name.equals(section)) {
                inserting = false;
                return;
            }
            current = name;
            text = rest.replaceFirst("^ *VALUES", "");
            inserting = true;
        }
        if (inserting) {
            if (text == null) {
                text = line;
            }
            String stripped = stripLiterals(stripEscapes(text));
            long opens = stripped.chars().filter(ch -> ch == '(').count();
            rows.merge(current, opens, Long::sum);
            if (stripped.stripTrailing().endsWith(";")) {
                inserting = false;
            }
        }
    }

    /**
     * The header is the dump's first lines: "-- MariaDB dump ..." (or MySQL), then "-- Server
     * version\t...".
     */
    private static final int HEADER_LINES = 10;

    private void header(String line) {
        // (newer servers put a sandbox-mode comment before it)
        if (dumpTool.isEmpty()
                && (line.startsWith("-- MariaDB dump ") || line.startsWith("-- MySQL dump "))) {
            dumpTool = line.substring(3).trim();
        } else if (serverVersion.isEmpty() && line.startsWith("-- Server version")) {
            serverVersion = line.substring("-- Server version".length()).trim();
        }
    }

    private void table(String t) {
        rows.putIfAbsent(t, 0L);
    }

    /**
     * The identifier at the start of {@code s} (just after its opening backtick); what follows goes
     * to {@code rest}.
     */
    private String ident(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int tick = s.indexOf('`', i);
            if (tick < 0) {
                rest = "";
                return out.append(s.substring(i)).toString();
            }
            out.append(s, i, tick);
            if (tick + 1 < s.length() && s.charAt(tick + 1) == '`') {
                out.append('`');
                i = tick + 2;
            } else {
                rest = s.substring(tick + 1);
                return out.toString();
            }
        }
    }

    /** awk's gsub(/\\./, ""): a backslash and the character after it. */
    private static String stripEscapes(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                i++;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** awk's gsub(/'[^']*'/, ""): quoted runs, left to right. */
    private static String stripLiterals(String s) {
        if (s.indexOf('\'') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'') {
                int close = s.indexOf('\'', i + 1);
                if (close < 0) {
                    b.append(s, i, s.length());
                    break;
                }
                i = close + 1;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /**
     * Lines of bytes as ISO-8859-1 (one char per byte), without the newline; large lines are fine.
     */
    static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[256 * 1024];
        private int pos;
        private int len;

        LineReader(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            java.io.ByteArrayOutputStream line = null;
            while (true) {
                if (pos == len) {
                    len = in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return line == null ? null : line.toString(StandardCharsets.ISO_8859_1);
                    }
                }
                int start = pos;
                while (pos < len && buf[pos] != '\n') {
                    pos++;
                }
                if (pos < len) {
                    String s;
                    if (line == null) {
                        s = new String(buf, start, pos - start, StandardCharsets.ISO_8859_1);
                    } else {
                        line.write(buf, start, pos - start);
                        s = line.toString(StandardCharsets.ISO_8859_1);
                    }
                    pos++;
                    return s;
                }
                if (line == null) {
                    line = new java.io.ByteArrayOutputStream();
                }
                line.write(buf, start, pos - start);
            }
        }
    }
}
