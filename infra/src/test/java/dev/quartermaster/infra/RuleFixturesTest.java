package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every event the synthesized stack routes to a function (each rule's source and detail-type, a
 * schedule's {@code aws.events / Scheduled Event}) has a fixture under {@code events/} carrying
 * that pair, whose source is named in {@code events/SOURCES.md} (checked by the functions module's
 * {@code FixtureSourcesTest}).
 */
class RuleFixturesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyRoutedSourceAndDetailType_hasAFixture() {
        JsonNode template = JSON.valueToTree(StackFixture.template(EstateStackTest.ALL).toJSON());
        Map<String, Set<String>> routed = routed(template);

        assertThat(routed.keySet())
                .as("the stack's rules, every option on")
                .contains(
                        "aws.ecr / ECR Image Action",
                        "aws.ecr / AWS Service Event via CloudTrail",
                        "aws.inspector2 / Inspector2 Finding",
                        "aws.events / Scheduled Event");
        assertThat(missing(routed, fixturePairs(repositoryRoot()))).isEmpty();
    }

    @Test
    void missing_namesTheRuleAndThePairWithoutAFixture() {
        Map<String, Set<String>> routed =
                Map.of(
                        "aws.ecr / ECR Image Action",
                        Set.of("PushRule"),
                        "aws.ecr / ECR Image Action Archived",
                        Set.of("ArchiveRule"));

        assertThat(missing(routed, Set.of("aws.ecr / ECR Image Action")))
                .containsExactly(
                        "rule ArchiveRule routes 'aws.ecr / ECR Image Action "
                                + "Archived' but no fixture under events/ carries that source and detail-type: add one shaped as AWS's published sample "
                                + "and its row in events/SOURCES.md");
    }

    /**
     * "source / detail-type" to the logical ids of the rules that route it; a rule with a schedule
     * routes a Scheduled Event.
     */
    static Map<String, Set<String>> routed(JsonNode template) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        template.path("Resources")
                .fields()
                .forEachRemaining(
                        e -> {
                            JsonNode r = e.getValue();
                            if (!"AWS::Events::Rule".equals(r.path("Type").asText())) {
                                return;
                            }
                            JsonNode p = r.path("Properties");
                            if (p.has("ScheduleExpression")) {
                                out.computeIfAbsent(
                                                "aws.events / Scheduled Event",
                                                k -> new TreeSet<>())
                                        .add(e.getKey());
                            }
                            JsonNode pattern = p.path("EventPattern");
                            if (pattern.isMissingNode()) {
                                return;
                            }
                            assertThat(pattern.path("detail-type").isArray())
                                    .as(
                                            "rule %s names its detail types (it takes any event of its source)",
                                            e.getKey())
                                    .isTrue();
                            for (JsonNode s : pattern.path("source")) {
                                for (JsonNode t : pattern.path("detail-type")) {
                                    out.computeIfAbsent(
                                                    s.asText() + " / " + t.asText(),
                                                    k -> new TreeSet<>())
                                            .add(e.getKey());
                                }
                            }
                        });
        return out;
    }

    static List<String> missing(Map<String, Set<String>> routed, Set<String> fixturePairs) {
        List<String> out = new ArrayList<>();
        routed.forEach(
                (pair, rules) -> {
                    if (!fixturePairs.contains(pair)) {
                        out.add(
                                "rule "
                                        + String.join(", ", rules)
                                        + " routes '"
                                        + pair
                                        + "' but no fixture under events/ carries that source and "
                                        + "detail-type: add one shaped as AWS's published sample and its row in events/SOURCES.md");
                    }
                });
        return out;
    }

    /**
     * The "source / detail-type" pairs of the JSON fixtures under events/ (files that are not JSON
     * carry none).
     */
    static Set<String> fixturePairs(Path root) {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(root.resolve("events"))) {
            for (Path f :
                    files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    JsonNode e = JSON.readTree(f.toFile());
                    if (e != null && e.hasNonNull("source") && e.hasNonNull("detail-type")) {
                        out.add(e.path("source").asText() + " / " + e.path("detail-type").asText());
                    }
                } catch (IOException notJson) {
                    // a deliberately broken fixture
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("events"))
                    && Files.isDirectory(dir.resolve("infra"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root (a folder with events/ and infra/) above "
                        + Path.of("").toAbsolutePath());
    }
}
