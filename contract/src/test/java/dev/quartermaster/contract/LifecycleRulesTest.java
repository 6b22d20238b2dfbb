package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ECR's lifecycle semantics on the module's worked examples, and the rule format's validation. */
class LifecycleRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    /** The module's production policy: release images 180 days, the last 5 of each work prefix, untagged after a day. */
    private static final String MODULE = """
            [{"rulePriority": 10, "description": "releases", "selection": {"tagStatus": "tagged", "tagPrefixList": ["v"],
               "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 180}, "action": {"type": "expire"}},
             {"rulePriority": 20, "selection": {"tagStatus": "tagged", "tagPrefixList": ["feature-"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 30, "selection": {"tagStatus": "tagged", "tagPrefixList": ["fix-"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 40, "selection": {"tagStatus": "tagged", "tagPatternList": ["dev-*"], "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}},
             {"rulePriority": 50, "description": "untagged", "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}]
            """;

    private static LifecycleRules.Image image(String digest, int daysAgo, String... tags) {
        return new LifecycleRules.Image(digest, Set.of(tags), NOW.minus(Duration.ofDays(daysAgo)), null);
    }

    @Test
    void theModulesWorkedExample() {
        List<LifecycleRules.Image> images = new ArrayList<>();
        LifecycleRules.Image v130 = image("d-v130", 90, "v1.3.0");
        LifecycleRules.Image v100 = image("d-v100", 200, "v1.0.0");
        LifecycleRules.Image untagged = image("d-untagged", 2);
        images.addAll(List.of(v130, v100, untagged));
        for (int i = 1; i <= 6; i++) {
            images.add(image("d-feature-" + i, 7 - i, "feature-" + i)); // feature-1 is the oldest
        }
        Map<LifecycleRules.Image, LifecycleRules.Outcome> out = LifecycleRules.parse(MODULE).evaluate(images, NOW);

        assertThat(out.get(v130).expired()).isFalse();
        assertThat(out.get(v100).expired()).isTrue();
        assertThat(out.get(v100).actingRule().orElseThrow().priority()).isEqualTo(10);
        assertThat(out.get(untagged).actingRule().orElseThrow().description()).isEqualTo("untagged");
        assertThat(out.values().stream().filter(o -> o.image().digest().startsWith("d-feature-") && o.expired()).map(o -> o.image().digest()))
                .containsExactly("d-feature-1");
    }

    @Test
    void pauseAndPredict_aTagRemovedRightAfterPush_leavesAnUntaggedImageTheUntaggedRuleExpires() {
        LifecycleRules.Image wasProd = image("d-prod", 10); // pushed as prod-1, the tag removed right after: untagged since
        assertThat(LifecycleRules.parse(MODULE).evaluate(List.of(wasProd), NOW).get(wasProd).actingRule().orElseThrow().priority()).isEqualTo(50);
    }

    @Test
    void anImageMatchedByAHigherRule_isNeverExpiredByALowerOne_butStillCounts() {
        // v2.0.0 also carries feature-x: the release rule (10) claims it, so the feature rule (20) counts it and cannot expire it
        List<LifecycleRules.Image> images = new ArrayList<>();
        LifecycleRules.Image both = image("d-both", 1, "v2.0.0", "feature-x");
        images.add(both);
        for (int i = 1; i <= 5; i++) {
            images.add(image("d-f" + i, 10 + i, "feature-" + i));
        }
        var out = LifecycleRules.parse(MODULE).evaluate(images, NOW);
        assertThat(out.get(both).expired()).isFalse();
        assertThat(out.get(both).claimedBy().orElseThrow().priority()).isEqualTo(10);
        assertThat(out.values().stream().filter(LifecycleRules.Outcome::expired).map(o -> o.image().digest()))
                .as("the newest five include the claimed one: the oldest feature image goes").containsExactly("d-f5");
    }

    @Test
    void severalPrefixes_selectOnlyImagesMatchingEveryOne() {
        var rules = LifecycleRules.parse("""
                [{"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod", "beta"], "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]""");
        LifecycleRules.Image both = image("a", 1, "prod-1", "beta-1");
        LifecycleRules.Image older = image("b", 2, "prod-2", "beta-2");
        LifecycleRules.Image prodOnly = image("c", 3, "prod-3");
        var out = rules.evaluate(List.of(both, older, prodOnly), NOW);
        assertThat(out.get(older).expired()).isTrue();
        assertThat(out.get(prodOnly).claimedBy()).as("not selected: it lacks a beta tag").isEmpty();
    }

    @Test
    void aReleasedDigest_isProtected_evenWhenEveryOtherRuleWouldExpireIt() {
        LifecycleRules rules = LifecycleRules.defaults(7, 2);
        LifecycleRules.Image running = image("running", 400, "wp-6.4-v1", LifecycleRules.PROTECT_PREFIX + "wordpress-20261001T000000Z");
        List<LifecycleRules.Image> images = List.of(running, image("n1", 1, "wp-6.6-v1"), image("n2", 2, "wp-6.5-v2"), image("n3", 3, "wp-6.5-v1"));
        var out = rules.evaluate(images, NOW);
        assertThat(out.get(running).expired()).isFalse();
        assertThat(out.get(running).protectedByRelease()).isTrue();
        assertThat(out.values().stream().filter(LifecycleRules.Outcome::expired).map(o -> o.image().digest())).containsExactly("n3");
        assertThat(rules.policyText()).startsWith("{\"rules\":[{\"rulePriority\":1,").contains("\"tagPrefixList\":[\"qm-release-\"]")
                .contains("\"countNumber\":" + LifecycleRules.PROTECT_COUNT);
    }

    @Test
    void rules_areValidatedByEcrsRules_withHowToFixIt() {
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 1, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("priority 1 is reserved");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 3, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}},"
                + "{\"rulePriority\": 4, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("tagStatus any, so it must have the highest priority");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("tagPrefixList or tagPatternList");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"tagPatternList\": [\"a*b*c*d*e*f\"], \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("at most 4 *");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"tagPatternList\": [\"qm-*\"], \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("protect released digests");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("countUnit");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"transition\"}}]"))
                .hasMessageContaining("targetStorageClass");
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}},"
                + "{\"rulePriority\": 3, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("only one rule may select untagged");
        assertThat(LifecycleRules.parse("{\"rules\": " + MODULE + "}").rules()).hasSize(6);
    }
}
