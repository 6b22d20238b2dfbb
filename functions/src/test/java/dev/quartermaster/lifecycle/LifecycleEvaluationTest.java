package dev.quartermaster.lifecycle;

import dev.quartermaster.contract.LifecycleRules;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** ECR's lifecycle semantics on the module's worked examples. */
class LifecycleEvaluationTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /**
     * The module's production policy: release images 180 days, the last 5 of each work prefix,
     * untagged after a day.
     */
    private static final String MODULE =
            """
            [{"rulePriority": 10, "description": "releases", "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"],
               "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 180}, "action": {"type": "expire"}},
             {"rulePriority": 20, "selection": {"tagStatus": "tagged", "tagPrefixList": ["feature-"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 30, "selection": {"tagStatus": "tagged", "tagPrefixList": ["fix-"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 40, "selection": {"tagStatus": "tagged", "tagPatternList": ["dev-*"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 50, "description": "untagged", "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}]
            """;

    private static LifecycleEvaluation.Image image(String digest, int daysAgo, String... tags) {
        return new LifecycleEvaluation.Image(
                digest, Set.of(tags), NOW.minus(Duration.ofDays(daysAgo)), null);
    }

    @Test
    void theModulesWorkedExample() {
        List<LifecycleEvaluation.Image> images = new ArrayList<>();
        LifecycleEvaluation.Image v130 = image("d-v130", 90, "v1.3.0");
        LifecycleEvaluation.Image v100 = image("d-v100", 200, "v1.0.0");
        LifecycleEvaluation.Image untagged = image("d-untagged", 2);
        images.addAll(List.of(v130, v100, untagged));
        for (int i = 1; i <= 6; i++) {
            images.add(image("d-feature-" + i, 7 - i, "feature-" + i)); // feature-1 is the oldest
        }
        Map<LifecycleEvaluation.Image, LifecycleEvaluation.Outcome> out =
                LifecycleEvaluation.evaluate(LifecycleRules.parse(MODULE), images, NOW);

        assertThat(out.get(v130).expired()).isFalse();
        assertThat(out.get(v100).expired()).isTrue();
        assertThat(out.get(v100).actingRule().orElseThrow().priority()).isEqualTo(10);
        assertThat(out.get(untagged).actingRule().orElseThrow().description())
                .isEqualTo("untagged");
        assertThat(
                        out.values().stream()
                                .filter(
                                        o ->
                                                o.image().digest().startsWith("d-feature-")
                                                        && o.expired())
                                .map(o -> o.image().digest()))
                .containsExactly("d-feature-1");
    }

    @Test
    void pauseAndPredict_aTagRemovedRightAfterPush_leavesAnUntaggedImageTheUntaggedRuleExpires() {
        LifecycleEvaluation.Image wasProd =
                image(
                        "d-prod",
                        10); // pushed as prod-1, the tag removed right after: untagged since
        assertThat(
                        LifecycleEvaluation.evaluate(
                                        LifecycleRules.parse(MODULE), List.of(wasProd), NOW)
                                .get(wasProd)
                                .actingRule()
                                .orElseThrow()
                                .priority())
                .isEqualTo(50);
    }

    @Test
    void anImageMatchedByAHigherRule_isNeverExpiredByALowerOne_butStillCounts() {
        // v2.0.0 also carries feature-x: the release rule (10) claims it, so the feature rule (20)
        // counts it and cannot expire it
        List<LifecycleEvaluation.Image> images = new ArrayList<>();
        LifecycleEvaluation.Image both = image("d-both", 1, "v2.0.0", "feature-x");
        images.add(both);
        for (int i = 1; i <= 5; i++) {
            images.add(image("d-f" + i, 10 + i, "feature-" + i));
        }
        var out = LifecycleEvaluation.evaluate(LifecycleRules.parse(MODULE), images, NOW);
        assertThat(out.get(both).expired()).isFalse();
        assertThat(out.get(both).claimedBy().orElseThrow().priority()).isEqualTo(10);
        assertThat(
                        out.values().stream()
                                .filter(LifecycleEvaluation.Outcome::expired)
                                .map(o -> o.image().digest()))
                .as("the newest five include the claimed one: the oldest feature image goes")
                .containsExactly("d-f5");
    }

    @Test
    void severalPrefixes_selectOnlyImagesMatchingEveryOne() {
        var rules =
                LifecycleRules.parse(
                        """
                [{"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod", "beta"], "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]""");
        LifecycleEvaluation.Image both = image("a", 1, "prod-1", "beta-1");
        LifecycleEvaluation.Image older = image("b", 2, "prod-2", "beta-2");
        LifecycleEvaluation.Image prodOnly = image("c", 3, "prod-3");
        var out = LifecycleEvaluation.evaluate(rules, List.of(both, older, prodOnly), NOW);
        assertThat(out.get(older).expired()).isTrue();
        assertThat(out.get(prodOnly).claimedBy()).as("not selected: it lacks a beta tag").isEmpty();
    }

    @Test
    void aReleasedDigest_isProtected_evenWhenEveryOtherRuleWouldExpireIt() {
        LifecycleRules rules = LifecycleRules.defaults(7, 2);
        LifecycleEvaluation.Image running =
                image(
                        "running",
                        400,
                        "wp-6.4-v1",
                        LifecycleRules.PROTECT_PREFIX + "wordpress-20261001T000000Z");
        List<LifecycleEvaluation.Image> images =
                List.of(
                        running,
                        image("n1", 1, "wp-6.6-v1"),
                        image("n2", 2, "wp-6.5-v2"),
                        image("n3", 3, "wp-6.5-v1"));
        var out = LifecycleEvaluation.evaluate(rules, images, NOW);
        assertThat(out.get(running).expired()).isFalse();
        assertThat(out.get(running).protectedByRelease()).isTrue();
        assertThat(
                        out.values().stream()
                                .filter(LifecycleEvaluation.Outcome::expired)
                                .map(o -> o.image().digest()))
                .containsExactly("n3");
        assertThat(rules.policyText())
                .startsWith("{\"rules\":[{\"rulePriority\":1,")
                .contains("\"tagPrefixList\":[\"qm-release-\"]")
                .contains(
                        "\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":"
                                + LifecycleRules.PROTECT_DAYS);
    }

    private static String rule(String selection, String action) {
        return "[{\"rulePriority\": 2, \"selection\": {"
                + selection
                + "}, \"action\": {"
                + action
                + "}}]";
    }

    private static String exampleFixture() throws Exception {
        // the contract's fixture (events/SOURCES.md names its source), read where it lives, as
        // infra's LifecycleStackTest does
        return java.nio.file.Files.readString(
                java.nio.file.Path.of(
                        "../contract/src/test/resources/lifecycle/ecr-archive-and-expire.json"));
    }

    @Test
    void evaluate_archivedImages_areSeenOnlyByArchiveRules_andATransitionMovesAStandardOne()
            throws Exception {
        LifecycleRules rules = LifecycleRules.parse(exampleFixture());
        LifecycleEvaluation.Image fresh = image("fresh", 5, "wp-6.6-v1");
        LifecycleEvaluation.Image old = image("old", 40, "wp-6.4-v1");
        LifecycleEvaluation.Image archivedLong =
                new LifecycleEvaluation.Image(
                        "archived-400",
                        Set.of("wp-6.2-v1"),
                        NOW.minus(Duration.ofDays(800)),
                        null,
                        LifecycleRules.StorageClass.ARCHIVE,
                        NOW.minus(Duration.ofDays(400)));
        LifecycleEvaluation.Image archivedRecently =
                new LifecycleEvaluation.Image(
                        "archived-100",
                        Set.of("wp-6.3-v1"),
                        NOW.minus(Duration.ofDays(500)),
                        null,
                        LifecycleRules.StorageClass.ARCHIVE,
                        NOW.minus(Duration.ofDays(100)));
        var out =
                LifecycleEvaluation.evaluate(
                        rules, List.of(fresh, old, archivedLong, archivedRecently), NOW);

        assertThat(out.get(fresh).actingRule()).isEmpty();
        assertThat(out.get(old).transitioned()).isTrue();
        assertThat(out.get(archivedLong).expired()).isTrue();
        assertThat(out.get(archivedLong).actingRule().orElseThrow().storageClass())
                .isEqualTo(LifecycleRules.StorageClass.ARCHIVE);
        assertThat(out.get(archivedRecently).actingRule())
                .as("pushed 500 days ago, but the transition rule sees only standard images")
                .isEmpty();
        assertThat(out.get(archivedRecently).claimedBy().orElseThrow().priority()).isEqualTo(3);
    }

    @Test
    void evaluate_aFloodOfJunkMarks_neverExpiresTheRunningDigest() {
        // issue 32.3: 9,999 junk qm-release-junkN pushes, all newer than the running release; the
        // user's rule keeps 5 images
        LifecycleRules rules =
                LifecycleRules.parse(
                        rule(
                                "\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 5",
                                "\"type\": \"expire\""));
        List<LifecycleEvaluation.Image> images = new ArrayList<>();
        LifecycleEvaluation.Image running =
                image("running", 300, "wp-6.4-v1", LifecycleRules.PROTECT_PREFIX + "a".repeat(64));
        LifecycleEvaluation.Image rollback =
                image("rollback", 400, "wp-6.3-v1", LifecycleRules.PROTECT_PREFIX + "b".repeat(64));
        images.add(running);
        images.add(rollback);
        for (int i = 0; i < 9_999; i++) {
            images.add(
                    new LifecycleEvaluation.Image(
                            "junk" + i,
                            Set.of(LifecycleRules.PROTECT_PREFIX + "junk" + i),
                            NOW.minusSeconds(i + 1),
                            null));
        }
        var out = LifecycleEvaluation.evaluate(rules, images, NOW);

        assertThat(out.get(running).expired()).isFalse();
        assertThat(out.get(running).protectedByRelease()).isTrue();
        assertThat(out.get(rollback).expired()).isFalse();
        assertThat(out.values().stream().filter(LifecycleEvaluation.Outcome::expired)).isEmpty();
    }

    @Test
    void findings_flagAMultiPrefixListAndARuleThatSelectsNothing_withTheFix() {
        // the seed's production rule as it was written: "the last 5 of feature-, fix- or dev-"
        LifecycleRules rules =
                LifecycleRules.parse(
                        rule(
                                "\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"feature-\", \"fix-\", \"dev-\"], "
                                        + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 5",
                                "\"type\": \"expire\""));
        List<LifecycleEvaluation.Image> images =
                List.of(image("f", 1, "feature-x"), image("x", 2, "fix-y"), image("d", 3, "dev-z"));

        assertThat(LifecycleEvaluation.findings(rules, images)).hasSize(2);
        assertThat(LifecycleEvaluation.findings(rules, images).get(0))
                .contains("EVERY listed prefix")
                .contains("one rule per prefix")
                .contains("\"feature-*\"");
        assertThat(LifecycleEvaluation.findings(rules, images).get(1))
                .contains("selects no image of this repository");
        assertThat(LifecycleEvaluation.findings(LifecycleRules.parse(MODULE), images))
                .as("the module's policy, one rule per prefix")
                .noneMatch(f -> f.contains("EVERY"));
        assertThat(
                        LifecycleEvaluation.findings(
                                LifecycleRules.defaults(7, 50),
                                List.of(image("t", 1, "wp-6.4-v1"))))
                .as("the untagged rule selects nothing here: flagged; the protection never")
                .singleElement()
                .asString()
                .contains("rule 2");
    }
}
