package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.LifecycleRules;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The repositories' lifecycle policy as synthesized: protection first, then cdk.json's rules, or
 * today's two.
 */
class LifecycleStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode policy(Map<String, Object> context) throws Exception {
        JsonNode t = JSON.valueToTree(StackFixture.template(context).toJSON());
        List<JsonNode> repos = new ArrayList<>();
        t.path("Resources")
                .forEach(
                        r -> {
                            if ("AWS::ECR::Repository".equals(r.path("Type").asText())) {
                                repos.add(r);
                            }
                        });
        assertThat(repos).isNotEmpty();
        return JSON.readTree(
                repos.get(0)
                        .path("Properties")
                        .path("LifecyclePolicy")
                        .path("LifecyclePolicyText")
                        .asText());
    }

    @Test
    void byDefault_protectionThenTodaysTwoRules() throws Exception {
        JsonNode rules = policy(Map.of()).path("rules");
        assertThat(rules).hasSize(3);
        assertThat(rules.get(0).path("selection").path("tagPrefixList").get(0).asText())
                .isEqualTo(LifecycleRules.PROTECT_PREFIX);
        assertThat(rules.get(1).path("selection").path("tagStatus").asText()).isEqualTo("untagged");
        assertThat(rules.get(1).path("selection").path("countNumber").asInt()).isEqualTo(7);
        assertThat(rules.get(2).path("selection").path("tagStatus").asText()).isEqualTo("any");
        assertThat(rules.get(2).path("selection").path("countNumber").asInt()).isEqualTo(50);
    }

    @Test
    void lifecycleRules_replaceTheDefaults_afterProtection() throws Exception {
        String rules =
                "[{\"rulePriority\": 10, \"selection\": {\"tagStatus\": \"tagged\", \"tagPrefixList\": [\"v\"], \"countType\": \"sinceImagePushed\","
                        + " \"countUnit\": \"days\", \"countNumber\": 180}, \"action\": {\"type\": \"expire\"}}]";
        JsonNode p = policy(Map.of("lifecycleRules", rules)).path("rules");
        assertThat(p).hasSize(2);
        assertThat(p.get(0).path("rulePriority").asInt()).isEqualTo(1);
        assertThat(p.get(1).path("rulePriority").asInt()).isEqualTo(10);
    }

    @Test
    void badRules_failTheSynth_sayingHowToFixThem() {
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "lifecycleRules",
                                                "[{\"rulePriority\": 0, \"selection\": {\"tagStatus\": \"untagged\", \"countType\": \"imageCountMoreThan\", \"countNumber\": 1}, \"action\": {\"type\": \"expire\"}}]")))
                .hasMessageContaining("priority 0 is not a positive whole number")
                .hasMessageContaining("cdk.json");
    }

    @Test
    void lifecycleRules_ecrsArchiveAndExpireExample_synthesizesBehindTheProtection()
            throws Exception {
        // ECR user guide, "Examples of lifecycle policies", "Combining archive and expire rules",
        // verbatim (as -c lifecycleRules=... passes it)
        String example =
                java.nio.file.Files.readString(
                        java.nio.file.Path.of(
                                "../contract/src/test/resources/lifecycle/ecr-archive-and-expire.json"));
        JsonNode p = policy(Map.of("lifecycleRules", example)).path("rules");
        assertThat(p).hasSize(3);
        assertThat(p.get(0).path("selection").path("tagPrefixList").get(0).asText())
                .isEqualTo(LifecycleRules.PROTECT_PREFIX);
        assertThat(p.get(0).path("selection").path("countType").asText())
                .isEqualTo("sinceImagePushed");
        assertThat(p.get(1).path("rulePriority").asInt()).isEqualTo(2);
        assertThat(p.get(1).path("action").path("type").asText()).isEqualTo("transition");
        assertThat(p.get(2).path("rulePriority").asInt()).isEqualTo(3);
        assertThat(p.get(2).path("selection").path("storageClass").asText()).isEqualTo("archive");
    }
}
