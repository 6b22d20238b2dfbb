package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads {@code events/SOURCES.md} and the fixtures it must cover, and says what is missing, each
 * problem as one line that names the file or the detail type and how to fix it. Used by {@link
 * FixtureSourcesTest}; pure file reading, so the checks also run on a throwaway tree to prove they
 * fail.
 */
final class FixtureSources {
    /**
     * The folders whose JSON files are fixtures, relative to the repository root: events/ and every
     * module's test resources.
     */
    static final List<String> FIXTURE_DIRS = List.of("events", "*/src/test/resources");

    static final String TABLE = "events/SOURCES.md";
    private static final Pattern ROW =
            Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|(.*)\\|(.*)\\|\\s*$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A source defined once above the table ({@code - **ECR-EB**: ...}) and named by its label in
     * rows.
     */
    private static final Pattern LABEL_DEFINITION =
            Pattern.compile("^- \\*\\*([A-Z0-9]+(?:-[A-Z0-9]+)+)\\*\\*:");

    private static final Pattern LABEL =
            Pattern.compile("(?<![\\w-])[A-Z][A-Z0-9]+(?:-[A-Z][A-Z0-9]*)+(?![\\w-])");

    /** A fixture's row: the source it follows and what was compared. */
    record Row(String source, String checked) {}

    /** An EventBridge (source, detail-type) pair and where the code names it. */
    record Handled(String source, String detailType, String where) {
        String key() {
            return source + " / " + detailType;
        }
    }

    private FixtureSources() {}

    /**
     * The repository root: the nearest folder up from here holding the table's folder and the
     * functions module.
     */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("events"))
                    && Files.isDirectory(dir.resolve("functions"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root (a folder with events/ and functions/) above "
                        + Path.of("").toAbsolutePath());
    }

    /**
     * Every JSON fixture under {@link #FIXTURE_DIRS}, as a root-relative path with forward slashes.
     */
    static Set<String> fixtures(Path root) {
        Set<String> out = new TreeSet<>();
        List<Path> dirs = new ArrayList<>(List.of(root.resolve("events")));
        try (Stream<Path> modules = Files.list(root)) {
            modules.map(m -> m.resolve("src/test/resources"))
                    .filter(Files::isDirectory)
                    .sorted()
                    .forEach(dirs::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(d)) {
                files.filter(Files::isRegularFile)
                        .filter(f -> f.getFileName().toString().endsWith(".json"))
                        .forEach(f -> out.add(root.relativize(f).toString().replace('\\', '/')));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * The table's rows by fixture path; a path listed twice is a problem {@link #problems} reports.
     */
    static Map<String, List<Row>> rows(Path root) {
        Path table = root.resolve(TABLE);
        if (!Files.exists(table)) {
            return Map.of();
        }
        Map<String, List<Row>> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(table)) {
                Matcher m = ROW.matcher(line);
                if (m.matches()) {
                    out.computeIfAbsent(m.group(1).trim(), k -> new ArrayList<>())
                            .add(new Row(m.group(2).trim(), m.group(3).trim()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The source labels defined above the table. */
    static Set<String> labels(Path root) {
        Set<String> out = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(root.resolve(TABLE))) {
                Matcher m = LABEL_DEFINITION.matcher(line);
                if (m.find()) {
                    out.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every way the table and the fixtures disagree, one line each. */
    static List<String> problems(Path root) {
        List<String> out = new ArrayList<>();
        Map<String, List<Row>> rows = rows(root);
        Set<String> labels = rows.isEmpty() ? Set.of() : labels(root);
        Set<String> fixtures = fixtures(root);
        for (String f : fixtures) {
            if (!rows.containsKey(f)) {
                out.add(
                        TABLE
                                + " has no row for "
                                + f
                                + ": add | `"
                                + f
                                + "` | <the AWS source: page title + URL, SDK repository + file, "
                                + "or specification + section> | <what was compared with it> |");
            }
        }
        rows.forEach(
                (path, list) -> {
                    if (!Files.isRegularFile(root.resolve(path))) {
                        out.add(
                                TABLE
                                        + " has a row for "
                                        + path
                                        + ", which does not exist: remove the row or restore the file");
                    } else if (!fixtures.contains(path)) {
                        out.add(
                                TABLE
                                        + " has a row for "
                                        + path
                                        + ", which is not a JSON fixture under "
                                        + FIXTURE_DIRS);
                    }
                    if (list.size() > 1) {
                        out.add(TABLE + " has " + list.size() + " rows for " + path + ": keep one");
                    }
                    for (Row r : list) {
                        if (r.source().isEmpty() || r.checked().isEmpty()) {
                            out.add(
                                    TABLE
                                            + "'s row for "
                                            + path
                                            + " leaves its source or what was checked empty: name both");
                        }
                        Matcher m =
                                LABEL.matcher(
                                        r.source()
                                                .replaceAll(
                                                        "`[^`]*`",
                                                        "")); // code spans name things, not sources
                        while (m.find()) {
                            if (!labels.contains(m.group())) {
                                out.add(
                                        TABLE
                                                + "'s row for "
                                                + path
                                                + " names source "
                                                + m.group()
                                                + ", which is not defined above the table: "
                                                + "add - **"
                                                + m.group()
                                                + "**: <page title + URL, SDK file, or specification section>, or name the source in the row");
                            }
                        }
                    }
                });
        return out;
    }

    /**
     * The (source, detail-type) pairs the code handles, read from the code itself: every {@code
     * static final String} field named {@code DETAIL_TYPE} or {@code *_DETAIL_TYPE} of a class in
     * {@code dev.quartermaster.events}, paired with that class's {@code SOURCE}. The handlers and
     * the stack's rules name these constants.
     */
    static List<Handled> handled() {
        List<Handled> out = new ArrayList<>();
        var classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(FixtureSources.class.getPackageName());
        for (JavaClass jc : classes) {
            if (!jc.getPackageName().equals(FixtureSources.class.getPackageName())) {
                continue;
            }
            Class<?> c = jc.reflect();
            String source = constant(c, "SOURCE");
            for (Field f : c.getDeclaredFields()) {
                if ((f.getName().equals("DETAIL_TYPE") || f.getName().endsWith("_DETAIL_TYPE"))
                        && f.getType() == String.class
                        && Modifier.isStatic(f.getModifiers())) {
                    if (source == null) {
                        throw new IllegalStateException(
                                c.getName()
                                        + " names a detail type but no SOURCE: add the source it comes from");
                    }
                    out.add(
                            new Handled(
                                    source,
                                    constant(c, f.getName()),
                                    c.getSimpleName() + "." + f.getName()));
                }
            }
        }
        return out;
    }

    private static String constant(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (NoSuchFieldException e) {
            return null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The (source, detail-type) pairs the JSON fixtures under {@code events/} carry, with the files
     * that carry each.
     */
    static Map<String, List<String>> fixturePairs(Path root) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String f : fixtures(root)) {
            if (!f.startsWith("events/")) {
                continue;
            }
            JsonNode event;
            try {
                event = JSON.readTree(root.resolve(f).toFile());
            } catch (IOException e) {
                continue; // a deliberately broken fixture (not-json.json) carries no pair
            }
            if (event != null && event.hasNonNull("source") && event.hasNonNull("detail-type")) {
                out.computeIfAbsent(
                                event.path("source").asText()
                                        + " / "
                                        + event.path("detail-type").asText(),
                                k -> new ArrayList<>())
                        .add(f);
            }
        }
        return out;
    }

    /** One line per handled pair no fixture under {@code events/} carries. */
    static List<String> uncovered(Path root, List<Handled> handled) {
        Map<String, List<String>> pairs = fixturePairs(root);
        List<String> out = new ArrayList<>();
        for (Handled h : handled) {
            if (!pairs.containsKey(h.key())) {
                out.add(
                        "no fixture under events/ has source '"
                                + h.source()
                                + "' and detail-type '"
                                + h.detailType()
                                + "' ("
                                + h.where()
                                + "): add one shaped as AWS's published sample and its row in "
                                + TABLE);
            }
        }
        return out;
    }
}
