package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rule format's validation, by ECR's rules, and the policy text it renders (the evaluation is
 * functions' LifecycleEvaluationTest).
 */
class LifecycleRulesTest {
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

    @Test
    void policyText_putsTheProtectionRuleFirst() {
        assertThat(LifecycleRules.defaults(7, 2).policyText())
                .startsWith("{\"rules\":[{\"rulePriority\":1,")
                .contains("\"tagPrefixList\":[\"qm-release-\"]")
                .contains(
                        "\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":"
                                + LifecycleRules.PROTECT_DAYS);
    }

    @Test
    void selects_needsATagForEveryPrefixAndEveryPattern_andAnUntaggedRuleOnlyUntaggedImages() {
        var rule =
                new LifecycleRules.Rule(
                        2,
                        "",
                        LifecycleRules.TagStatus.TAGGED,
                        List.of("prod", "beta"),
                        List.of(),
                        LifecycleRules.CountType.IMAGE_COUNT_MORE_THAN,
                        1,
                        LifecycleRules.Action.EXPIRE);
        assertThat(rule.selects(Set.of("prod-1", "beta-1"))).isTrue();
        assertThat(rule.selects(Set.of("prod-3"))).as("no beta tag").isFalse();
        var pattern =
                new LifecycleRules.Rule(
                        2,
                        "",
                        LifecycleRules.TagStatus.TAGGED,
                        List.of(),
                        List.of("wp-*-v1"),
                        LifecycleRules.CountType.IMAGE_COUNT_MORE_THAN,
                        1,
                        LifecycleRules.Action.EXPIRE);
        assertThat(pattern.selects(Set.of("wp-6.4-v1"))).isTrue();
        assertThat(pattern.selects(Set.of("wp-6.4-v2"))).isFalse();
        var untagged =
                new LifecycleRules.Rule(
                        2,
                        "",
                        LifecycleRules.TagStatus.UNTAGGED,
                        List.of(),
                        List.of(),
                        LifecycleRules.CountType.IMAGE_COUNT_MORE_THAN,
                        1,
                        LifecycleRules.Action.EXPIRE);
        assertThat(untagged.selects(Set.of())).isTrue();
        assertThat(untagged.selects(Set.of("x"))).isFalse();
    }

    @Test
    void rules_areValidatedByEcrsRules_withHowToFixIt() {
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 0, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("priority 0 is not a positive whole number");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 3, \"selection\": {\"tagStatus\": \"any\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}},"
                                                + "{\"rulePriority\": 4, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("tagStatus any, so it must have the highest priority");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("tagPrefixList or tagPatternList");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"tagPatternList\": [\"a*b*c*d*e*f\"], \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("at most 4 *");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"tagged\", \"tagPatternList\": [\"qm-*\"], \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("protect released digests");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("countUnit");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"transition\"}}]"))
                .hasMessageContaining("targetStorageClass");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        "[{\"rulePriority\": 2, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}},"
                                                + "{\"rulePriority\": 3, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]"))
                .hasMessageContaining("only one rule may select untagged standard images");
        assertThat(LifecycleRules.parse("{\"rules\": " + MODULE + "}").rules()).hasSize(6);
    }

    private static String rule(String selection, String action) {
        return "[{\"rulePriority\": 2, \"selection\": {"
                + selection
                + "}, \"action\": {"
                + action
                + "}}]";
    }

    private static String exampleFixture() throws Exception {
        try (var in =
                LifecycleRulesTest.class.getResourceAsStream(
                        "/lifecycle/ecr-archive-and-expire.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void parse_ecrsArchiveAndExpireExample_isAcceptedBehindTheProtection() throws Exception {
        // ECR user guide, "Examples of lifecycle policies", "Combining archive and expire rules",
        // verbatim: two any rules
        // (one per storage class), numbered from 1
        LifecycleRules rules = LifecycleRules.parse(exampleFixture());

        assertThat(rules.rules())
                .extracting(LifecycleRules.Rule::priority)
                .containsExactly(1, 2, 3);
        assertThat(rules.rules().get(0).protection()).isTrue();
        LifecycleRules.Rule archive = rules.rules().get(1);
        LifecycleRules.Rule expire = rules.rules().get(2);
        assertThat(archive.action()).isEqualTo(LifecycleRules.Action.TRANSITION);
        assertThat(archive.declared()).isEqualTo(1);
        assertThat(archive.label()).startsWith("rule 2 (cdk.json's 1)");
        assertThat(expire.storageClass()).isEqualTo(LifecycleRules.StorageClass.ARCHIVE);
        assertThat(expire.countType()).isEqualTo(LifecycleRules.CountType.SINCE_IMAGE_TRANSITIONED);
        var text =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(rules.policyText())
                        .path("rules");
        assertThat(text.get(1).path("action").path("targetStorageClass").asText())
                .isEqualTo("archive");
        assertThat(text.get(2).path("selection").path("storageClass").asText())
                .isEqualTo("archive");
        assertThat(text.get(2).path("selection").path("countType").asText())
                .isEqualTo("sinceImageTransitioned");
        assertThat(text.get(1).path("selection").has("storageClass"))
                .as("standard is ECR's default: left out")
                .isFalse();
    }

    @Test
    void parse_refusesWhatTheUserGuideRules_Out_sayingHowToFixIt() {
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 365",
                                                "\"type\": \"expire\"")))
                .hasMessageContaining("sinceImageTransitioned needs \"storageClass\": \"archive\"");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 365",
                                                "\"type\": \"expire\"")))
                .hasMessageContaining("the only storageClass is standard");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"storageClass\": \"glacier\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 3",
                                                "\"type\": \"expire\"")))
                .hasMessageContaining("storageClass must be standard or archive");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 30",
                                                "\"type\": \"expire\"")))
                .hasMessageContaining("at least 90 days");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"storageClass\": \"archive\", \"countType\": \"sinceImageTransitioned\", \"countUnit\": \"days\", \"countNumber\": 365",
                                                "\"type\": \"transition\", \"targetStorageClass\": \"archive\"")))
                .hasMessageContaining("sinceImageTransitioned only expires");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"countType\": \"sinceImagePulled\", \"countUnit\": \"days\", \"countNumber\": 90",
                                                "\"type\": \"expire\"")))
                .hasMessageContaining("sinceImagePulled only transitions");
        assertThatThrownBy(
                        () ->
                                LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"countType\": \"sinceImagePushed\", \"countUnit\": \"days\", \"countNumber\": 30",
                                                "\"type\": \"transition\", \"targetStorageClass\": \"standard\"")))
                .hasMessageContaining("targetStorageClass");
        // the examples page's "Archive images not pulled in 90 days", verbatim but for its priority
        assertThat(
                        LifecycleRules.parse(
                                        rule(
                                                "\"tagStatus\": \"any\", \"countType\": \"sinceImagePulled\", \"countUnit\": \"days\", \"countNumber\": 90",
                                                "\"type\": \"transition\", \"targetStorageClass\": \"archive\""))
                                .rules()
                                .get(1)
                                .countType())
                .isEqualTo(LifecycleRules.CountType.SINCE_IMAGE_PULLED);
    }

    @Test
    void parse_whenThePolicyTextWouldPassEcrsLengthQuota_refusesIt() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 130; i++) {
            many.append(i == 0 ? "" : ",")
                    .append("{\"rulePriority\": ")
                    .append(i + 2)
                    .append(", \"description\": \"")
                    .append("d".repeat(200))
                    .append(
                            "\", \"selection\": {\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"p")
                    .append(i)
                    .append(
                            "-\"], \"countType\": \"imageCountMoreThan\", \"countNumber\": 5}, \"action\": {\"type\": \"expire\"}}");
        }
        assertThatThrownBy(() -> LifecycleRules.parse(many.append("]").toString()))
                .hasMessageContaining("at most 30720");
    }
}
