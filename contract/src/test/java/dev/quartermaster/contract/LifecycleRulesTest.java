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
                .contains("\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":" + LifecycleRules.PROTECT_DAYS);
    }

    @Test
    void rules_areValidatedByEcrsRules_withHowToFixIt() {
        assertThatThrownBy(() -> LifecycleRules.parse("[{\"rulePriority\": 0, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("priority 0 is not a positive whole number");
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
                .hasMessageContaining("only one rule may select untagged standard images");
        assertThat(LifecycleRules.parse("{\"rules\": " + MODULE + "}").rules()).hasSize(6);
    }

    private static String rule(String selection, String action) {
        return "[{\"rulePriority\": 2, \"selection\": {" + selection + "}, \"action\": {" + action + "}}]";
    }

    private static String exampleFixture() throws Exception {
        try (var in = LifecycleRulesTest.class.getResourceAsStream("/lifecycle/ecr-archive-and-expire.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void parse_ecrsArchiveAndExpireExample_isAcceptedBehindTheProtection() throws Exception {
        // ECR user guide, "Examples of lifecycle policies", "Combining archive and expire rules", verbatim: two any rules
        // (one per storage class), numbered from 1
        LifecycleRules rules = LifecycleRules.parse(exampleFixture());

        assertThat(rules.rules()).extracting(LifecycleRules.Rule::priority).containsExactly(1, 2, 3);
        assertThat(rules.rules().get(0).protection()).isTrue();
        LifecycleRules.Rule archive = rules.rules().get(1);
        LifecycleRules.Rule expire = rules.rules().get(2);
        assertThat(archive.action()).isEqualTo(LifecycleRules.Action.TRANSITION);
        assertThat(archive.declared()).isEqualTo(1);
        assertThat(archive.label()).startsWith("rule 2 (cdk.json's 1)");
        assertThat(expire.storageClass()).isEqualTo(LifecycleRules.StorageClass.ARCHIVE);
        assertThat(expire.countType()).isEqualTo(LifecycleRules.CountType.SINCE_IMAGE_TRANSITIONED);
        var text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rules.policyText()).path("rules");
        assertThat(text.get(1).path("action").path("targetStorageClass").asText()).isEqualTo("archive");
        assertThat(text.get(2).path("selection").path("storageClass").asText()).isEqualTo("archive");
        assertThat(text.get(2).path("selection").path("countType").asText()).isEqualTo("sinceImageTransitioned");
        assertThat(text.get(1).path("selection").has("storageClass")).as("standard is ECR's default: left out").isFalse();
    }

    @Test
    void evaluate_archivedImages_areSeenOnlyByArchiveRules_andATransitionMovesAStandardOne() throws Exception {
        LifecycleRules rules = LifecycleRules.parse(exampleFixture());
        LifecycleRules.Image fresh = image("fresh", 5, "wp-6.6-v1");
        LifecycleRules.Image old = image("old", 40, "wp-6.4-v1");
        LifecycleRules.Image archivedLong = new LifecycleRules.Image("archived-400", Set.of("wp-6.2-v1"), NOW.minus(Duration.ofDays(800)), null,
                LifecycleRules.StorageClass.ARCHIVE, NOW.minus(Duration.ofDays(400)));
        LifecycleRules.Image archivedRecently = new LifecycleRules.Image("archived-100", Set.of("wp-6.3-v1"), NOW.minus(Duration.ofDays(500)), null,
                LifecycleRules.StorageClass.ARCHIVE, NOW.minus(Duration.ofDays(100)));
        var out = rules.evaluate(List.of(fresh, old, archivedLong, archivedRecently), NOW);

        assertThat(out.get(fresh).actingRule()).isEmpty();
        assertThat(out.get(old).transitioned()).isTrue();
        assertThat(out.get(archivedLong).expired()).isTrue();
        assertThat(out.get(archivedLong).actingRule().orElseThrow().storageClass()).isEqualTo(LifecycleRules.StorageClass.ARCHIVE);
        assertThat(out.get(archivedRecently).actingRule()).as("pushed 500 days ago, but the transition rule sees only standard images").isEmpty();
        assertThat(out.get(archivedRecently).claimedBy().orElseThrow().priority()).isEqualTo(3);
    }

    @Test
    void parse_refusesWhatTheUserGuideRules_Out_sayingHowToFixIt() {
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 365",
                "\"type\": \"expire\""))).hasMessageContaining("sinceImageTransitioned needs \"storageClass\": \"archive\"");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 365",
                "\"type\": \"expire\""))).hasMessageContaining("the only storageClass is standard");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"storageClass\": \"glacier\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 3",
                "\"type\": \"expire\""))).hasMessageContaining("storageClass must be standard or archive");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 30",
                "\"type\": \"expire\""))).hasMessageContaining("at least 90 days");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 365",
                "\"type\": \"transition\", \"targetStorageClass\": \"archive\""))).hasMessageContaining("sinceImageTransitioned only expires");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"countType\": \"sinceImagePulled\", \"countUnit\": \"days\", \"countNumber\": 90",
                "\"type\": \"expire\""))).hasMessageContaining("sinceImagePulled only transitions");
        assertThatThrownBy(() -> LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 30",
                "\"type\": \"transition\", \"targetStorageClass\": \"standard\""))).hasMessageContaining("targetStorageClass");
        // the examples page's "Archive images not pulled in 90 days", verbatim but for its priority
        assertThat(LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"countType\": \"sinceImagePulled\", \"countUnit\": \"days\", \"countNumber\": 90",
                "\"type\": \"transition\", \"targetStorageClass\": \"archive\"")).rules().get(1).countType()).isEqualTo(LifecycleRules.CountType.SINCE_IMAGE_PULLED);
    }

    @Test
    void evaluate_aFloodOfJunkMarks_neverExpiresTheRunningDigest() {
        // issue 32.3: 9,999 junk qm-release-junkN pushes, all newer than the running release; the user's rule keeps 5 images
        LifecycleRules rules = LifecycleRules.parse(rule("\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 5",
                "\"type\": \"expire\""));
        List<LifecycleRules.Image> images = new ArrayList<>();
        LifecycleRules.Image running = image("running", 300, "wp-6.4-v1", LifecycleRules.PROTECT_PREFIX + "a".repeat(64));
        LifecycleRules.Image rollback = image("rollback", 400, "wp-6.3-v1", LifecycleRules.PROTECT_PREFIX + "b".repeat(64));
        images.add(running);
        images.add(rollback);
        for (int i = 0; i < 9_999; i++) {
            images.add(new LifecycleRules.Image("junk" + i, Set.of(LifecycleRules.PROTECT_PREFIX + "junk" + i), NOW.minusSeconds(i + 1), null));
        }
        var out = rules.evaluate(images, NOW);

        assertThat(out.get(running).expired()).isFalse();
        assertThat(out.get(running).protectedByRelease()).isTrue();
        assertThat(out.get(rollback).expired()).isFalse();
        assertThat(out.values().stream().filter(LifecycleRules.Outcome::expired)).isEmpty();
    }

    @Test
    void findings_flagAMultiPrefixListAndARuleThatSelectsNothing_withTheFix() {
        // the seed's production rule as it was written: "the last 5 of feature-, fix- or dev-"
        LifecycleRules rules = LifecycleRules.parse(rule("\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"feature-\", \"fix-\", \"dev-\"], "
                + "\"countType\": \"imageCountMoreThan\", \"countNumber\": 5", "\"type\": \"expire\""));
        List<LifecycleRules.Image> images = List.of(image("f", 1, "feature-x"), image("x", 2, "fix-y"), image("d", 3, "dev-z"));

        assertThat(rules.findings(images)).hasSize(2);
        assertThat(rules.findings(images).get(0)).contains("EVERY listed prefix").contains("one rule per prefix").contains("\"feature-*\"");
        assertThat(rules.findings(images).get(1)).contains("selects no image of this repository");
        assertThat(LifecycleRules.parse(MODULE).findings(images)).as("the module's policy, one rule per prefix").noneMatch(f -> f.contains("EVERY"));
        assertThat(LifecycleRules.defaults(7, 50).findings(List.of(image("t", 1, "wp-6.4-v1"))))
                .as("the untagged rule selects nothing here: flagged; the protection never").singleElement().asString().contains("rule 2");
    }

    @Test
    void parse_whenThePolicyTextWouldPassEcrsLengthQuota_refusesIt() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 130; i++) {
            many.append(i == 0 ? "" : ",").append("{\"rulePriority\": ").append(i + 2).append(", \"description\": \"").append("d".repeat(200))
                    .append("\", \"selection\": {\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"p").append(i)
                    .append("-\"], \"countType\": \"imageCountMoreThan\", \"countNumber\": 5}, \"action\": {\"type\": \"expire\"}}");
        }
        assertThatThrownBy(() -> LifecycleRules.parse(many.append("]").toString())).hasMessageContaining("at most 30720");
    }
}
