package dev.quartermaster.cli;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The docs against the code. The sections between {@code <!-- NAME:begin -->} and {@code <!--
 * NAME:end -->} are generated: the command reference in docs/commands.md from bin/qm's command
 * spec, the function table in docs/architecture.md from the catalogue. Regenerate them after
 * changing a command or a function:
 *
 * <pre>
 * mvn -B -q -o -pl cli -am test -DskipCdkTests=true -Dtest=DocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dqm.writeDocs=true
 * </pre>
 */
class DocsTest {
    static final String REGENERATE =
            "mvn -B -q -o -pl cli -am test -DskipCdkTests=true -Dtest=DocsTest "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dqm.writeDocs=true";
    private static final Path ROOT =
            Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path DOCS = ROOT.resolve("docs");
    private static final int README_MAX_LINES = 250;

    /**
     * With -Dqm.writeDocs=true the generated sections are rewritten first, so every check below
     * sees them.
     */
    @BeforeAll
    static void regenerate_whenAsked() {
        if (Boolean.getBoolean("qm.writeDocs")) {
            checkGenerated(DOCS.resolve("commands.md"), "commands", commandReference());
            checkGenerated(DOCS.resolve("architecture.md"), "functions", functionTable());
        }
    }

    @Test
    void commandReference_isWhatBinQmHelpPrints_forEveryCommand() {
        checkGenerated(DOCS.resolve("commands.md"), "commands", commandReference());
    }

    @Test
    void functionTable_isTheCatalogue() {
        checkGenerated(DOCS.resolve("architecture.md"), "functions", functionTable());
    }

    @Test
    void everySubcommand_answersHelp() {
        for (CommandLine cl : commands(Qm.commandLine())) {
            List<String> args =
                    new ArrayList<>(List.of(cl.getCommandSpec().qualifiedName(" ").split(" ")));
            args.remove(0);
            args.add("--help");
            PrintStream old = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int rc;
            try {
                rc = Qm.execute(args.toArray(String[]::new));
            } finally {
                System.setOut(old);
            }
            assertThat(rc).as("qm %s", String.join(" ", args)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .as("qm %s", String.join(" ", args))
                    .startsWith("Usage: " + cl.getCommandSpec().qualifiedName(" "));
        }
    }

    @Test
    void everyRelativeLink_inTheReadmeAndTheDocs_resolvesToAFileAndAnchor() {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            for (String target : links(read(page))) {
                String problem = resolve(page, target);
                if (problem != null) {
                    broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void readme_isAShortFrontPage_whoseContentsLinkEveryDocsPage() throws IOException {
        List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
        assertThat(readme.size()).as("README.md lines").isLessThanOrEqualTo(README_MAX_LINES);
        int start = readme.indexOf("## Contents");
        assertThat(start).as("README.md has a '## Contents' section").isNotNegative();
        int end = start + 1;
        while (end < readme.size() && !readme.get(end).startsWith("## ")) {
            end++;
        }
        Set<String> linked = new HashSet<>();
        for (String target : links(String.join("\n", readme.subList(start, end)))) {
            linked.add(target.replaceAll("#.*", ""));
        }
        List<String> pages;
        try (Stream<Path> s = Files.list(DOCS)) {
            pages =
                    s.map(p -> "docs/" + p.getFileName())
                            .filter(n -> n.endsWith(".md"))
                            .sorted()
                            .toList();
        }
        assertThat(pages).as("pages under docs/").hasSizeGreaterThanOrEqualTo(5);
        assertThat(linked)
                .as("the README's contents link every page under docs/")
                .containsAll(pages);
    }

    @Test
    void theLinkChecker_findsABrokenAnchorAndIgnoresCode() {
        String md =
                "# A title, with `code` and (parens)\n[ok](#a-title-with-code-and-parens) `[no](missing.md)`\n"
                        + "```\n[no](missing.md)\n```\n[bad](#nowhere) [web](https://example.com/x.md)";
        assertThat(links(md)).containsExactly("#a-title-with-code-and-parens", "#nowhere");
        assertThat(anchors(md)).contains("a-title-with-code-and-parens");
    }

    // ---- the generated sections

    /** Every command's help, as `bin/qm [COMMAND…] --help` prints it, depth first. */
    static String commandReference() {
        StringBuilder sb = new StringBuilder();
        for (CommandLine cl : commands(Qm.commandLine())) {
            sb.append("\n### ")
                    .append(cl.getCommandSpec().qualifiedName(" "))
                    .append("\n\n```text\n")
                    .append(cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing())
                    .append("\n```\n");
        }
        return sb.append('\n').toString();
    }

    /**
     * The catalogue's functions: the name each is deployed and invoked under, its jar, what it
     * does.
     */
    static String functionTable() {
        StringBuilder sb =
                new StringBuilder("\n| function | jar | what it does |\n|---|---|---|\n");
        for (FunctionSpec f : Catalog.ALL) {
            sb.append("| `")
                    .append(f.name())
                    .append("` | ")
                    .append(f.bundle().classifier())
                    .append(" | ")
                    .append(f.description().replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.append('\n').toString();
    }

    private static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>(List.of(root));
        for (CommandLine sub : root.getSubcommands().values().stream().distinct().toList()) {
            all.addAll(commands(sub));
        }
        return all;
    }

    private static void checkGenerated(Path page, String name, String generated) {
        String text = read(page);
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        assertThat(b).as("%s has %s", ROOT.relativize(page), begin).isNotNegative();
        assertThat(e).as("%s has %s after %s", ROOT.relativize(page), end, begin).isGreaterThan(b);
        String current = text.substring(b + begin.length(), e);
        if (current.equals(generated)) {
            return;
        }
        if (Boolean.getBoolean("qm.writeDocs")) {
            write(page, text.substring(0, b + begin.length()) + generated + text.substring(e));
            return;
        }
        fail(
                ROOT.relativize(page)
                        + "'s "
                        + name
                        + " section differs from the code; regenerate it:\n  "
                        + REGENERATE
                        + "\nfirst difference at: "
                        + firstDifference(current, generated));
    }

    private static String firstDifference(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String l = i < x.size() ? x.get(i) : "<end>";
            String r = i < y.size() ? y.get(i) : "<end>";
            if (!l.equals(r)) {
                return "line "
                        + (i + 1)
                        + " of the section:\n  docs:      "
                        + l
                        + "\n  generated: "
                        + r;
            }
        }
        return "line endings";
    }

    // ---- links and anchors, as GitHub renders them

    private static final Pattern LINK =
            Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern HTML_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

    /** github-slugger's punctuation: removed from a heading's text to make its anchor. */
    private static final Pattern SLUG_DROP =
            Pattern.compile(
                    "[\\u2000-\\u206F\\u2E00-\\u2E7F\\\\'!\"#$%&()*+,./:;<=>?@\\[\\]^`{|}~]");

    private static List<Path> pages() {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(DOCS)) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** The prose of a page: fenced blocks and inline code spans removed. */
    private static List<String> prose(String md) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : md.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                lines.add("");
                continue;
            }
            lines.add(fenced ? "" : line.replaceAll("`[^`]*`", "``"));
        }
        return lines;
    }

    /** Relative link targets (no scheme), in order. */
    static List<String> links(String md) {
        List<String> out = new ArrayList<>();
        for (String line : prose(md)) {
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                String target = m.group(1);
                if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    out.add(target);
                }
            }
        }
        return out;
    }

    /**
     * The anchors a page has: one per heading (github-slugger's rule, -1, -2 for repeats) and
     * explicit ids.
     */
    static Set<String> anchors(String md) {
        Set<String> out = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : md.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug =
                        SLUG_DROP
                                .matcher(
                                        h.group(1)
                                                .replaceAll("<[^>]+>", "")
                                                .toLowerCase(Locale.ROOT))
                                .replaceAll("")
                                .replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                out.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
            Matcher id = HTML_ID.matcher(line);
            while (id.find()) {
                out.add(id.group(1));
            }
        }
        return out;
    }

    /** Null when the link resolves, else why not. */
    private static String resolve(Path page, String target) {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path to = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!to.startsWith(ROOT)) {
            return "points outside the repository";
        }
        if (!Files.exists(to)) {
            return "no such file";
        }
        if (anchor != null
                && to.toString().endsWith(".md")
                && !anchors(read(to)).contains(anchor)) {
            return "no such anchor in " + ROOT.relativize(to);
        }
        return null;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
