package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The release switch as synthesised: documents, rules, grants and the configuration's validation.
 */
class ReleasesStackTest {
    private static final Template DEFAULT = StackFixture.template(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void releaseDocument_fixesWhereTheAppIsAndHowItIsProven_andValidatesWhatTheCallerPasses() {
        String release =
                DEFAULT.findResources("AWS::SSM::Document").values().stream()
                        .map(String::valueOf)
                        .filter(d -> d.contains("QM_MODE='release'"))
                        .findFirst()
                        .orElseThrow();
        assertThat(release)
                .contains(
                        "^(sha256:[a-f0-9]{64})$",
                        "^([0-9A-Za-z.+-]{1,64})$",
                        "^(sha256:[a-f0-9]{64})?$",
                        "export QM_PROJECT_DIR='/opt/wordpress'",
                        "export QM_SERVICE='wordpress'",
                        "export QM_VERSION_FILE='/var/www/html/wp-includes/version.php'",
                        "export QM_COMPOSE='docker compose'",
                        "export QM_REGISTRY_LOGIN='ecr'",
                        "export QM_DIGEST='{{ digest }}'");
        String check =
                DEFAULT.findResources("AWS::SSM::Document").values().stream()
                        .map(String::valueOf)
                        .filter(d -> d.contains("QM_MODE='check'"))
                        .findFirst()
                        .orElseThrow();
        assertThat(check).doesNotContain("{{ digest }}");
        // where to pull from is the stack's word, not the sender's: no parameter, the account's ECR
        // repository in both documents
        for (String doc : List.of(release, check)) {
            assertThat(doc)
                    .doesNotContain("imageRepo")
                    .contains("export QM_IMAGE_REPO='", ".dkr.ecr.", "/wordpress'");
        }
    }

    /** The release (or check) document's content, as synthesised. */
    private static JsonNode document(Template t, String mode) {
        return JSON.valueToTree(
                        t.findResources("AWS::SSM::Document").values().stream()
                                .filter(d -> String.valueOf(d).contains("QM_MODE='" + mode + "'"))
                                .findFirst()
                                .orElseThrow())
                .path("Properties")
                .path("Content");
    }

    private static List<String> runCommand(JsonNode content) {
        List<String> lines = new java.util.ArrayList<>();
        content.path("mainSteps")
                .get(0)
                .path("inputs")
                .path("runCommand")
                .forEach(l -> lines.add(l.isTextual() ? l.asText() : l.toString()));
        return lines;
    }

    @Test
    void hooks_areFixedDocumentContent_andWithoutThemTheDocumentIsUnchanged() {
        Template hooked =
                StackFixture.template(
                        Map.of(
                                "releaseHooks",
                                Map.of(
                                        "beforeSwitch",
                                        "wp maintenance-mode activate --allow-root",
                                        "afterSwitch",
                                        "wp core update-db --allow-root")));
        JsonNode plain = document(DEFAULT, "release");
        JsonNode withHooks = document(hooked, "release");

        assertThat(runCommand(plain)).noneMatch(l -> l.contains("export QM_HOOK_"));
        List<String> lines = runCommand(withHooks);
        assertThat(lines)
                .contains(
                        "export QM_HOOK_BEFORE_SWITCH='wp maintenance-mode activate --allow-root'",
                        "export QM_HOOK_AFTER_SWITCH='wp core update-db --allow-root'")
                .noneMatch(l -> l.startsWith("export QM_HOOK_BEFORE_ROLLBACK"));
        // the hooks are two more fixed lines before the script; nothing else differs, and no
        // caller can pass a hook: the parameters are the same
        List<String> withoutHooks = new java.util.ArrayList<>(lines);
        withoutHooks.removeIf(l -> l.startsWith("export QM_HOOK_"));
        assertThat(withoutHooks).isEqualTo(runCommand(plain));
        assertThat(withHooks.path("parameters")).isEqualTo(plain.path("parameters"));
        List<String> names = new java.util.ArrayList<>();
        withHooks.path("parameters").fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "digest",
                        "expectedVersion",
                        "previousDigest",
                        "previousVersion",
                        "hostName");
        // each hook may take the host's hook timeout
        int timeout = plain.path("mainSteps").get(0).path("inputs").path("timeoutSeconds").asInt();
        assertThat(withHooks.path("mainSteps").get(0).path("inputs").path("timeoutSeconds").asInt())
                .isEqualTo(timeout + 2 * Releases.HOOK_TIMEOUT_SECONDS);
        // the drift check's document has no hooks
        assertThat(document(hooked, "check")).isEqualTo(document(DEFAULT, "check"));
    }

    @Test
    void unsafeHooks_areRefusedAtSynth() {
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "releaseHooks",
                                                Map.of(
                                                        "afterSwitch",
                                                        "wp core update-db && reboot"))))
                .hasMessageContaining("releaseHooks.afterSwitch")
                .hasMessageContaining("the character '&' at position 19");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "releaseHooks",
                                                "{\"beforeRollback\":\"echo {{ digest }}\"}")))
                .hasMessageContaining("releaseHooks.beforeRollback")
                .hasMessageContaining("'{'");
    }

    @Test
    void hostPolicy_gainsOnlyPullingTheAppRepository() {
        String host = DEFAULT.findResources("AWS::IAM::ManagedPolicy").toString();
        assertThat(host)
                .contains(
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:GetAuthorizationToken")
                .doesNotContain("ecr:PutImage")
                .doesNotContain("ecr:InitiateLayerUpload");
    }

    @Test
    void statusRule_watchesTheReleaseAndCheckDocuments_andDriftIsHourly() {
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "Description",
                        "SSM results of Quartermaster's release and drift-check commands",
                        "EventPattern",
                        Match.objectLike(Map.of("source", List.of("aws.ssm")))));
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "ScheduleExpression",
                        "rate(1 hour)",
                        "Description",
                        "Hourly: ask the host which digest runs (release-status alerts on drift)"));
    }

    @Test
    void configuration_isValidatedAtSynth() {
        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("healthUrl", "ftp://x")))
                .hasMessageContaining("healthUrl");
        assertThatThrownBy(
                        () -> StackConfig.from(Map.<String, Object>of("versionRegex", "no group")))
                .hasMessageContaining("capturing group");
        assertThatThrownBy(
                        () -> StackConfig.from(Map.<String, Object>of("versionRegex", "v='(.*)'")))
                .hasMessageContaining("without '");
        for (String javaOnly : List.of("v=(\\d+)", "(?<v>[0-9.]+)", "v=(.+?);", "v=([0-9.]+)\\")) {
            assertThatThrownBy(
                            () ->
                                    StackConfig.from(
                                            Map.<String, Object>of("versionRegex", javaOnly)))
                    .as(javaOnly)
                    .hasMessageContaining("sed -E");
        }
        assertThat(
                        StackConfig.from(
                                        Map.<String, Object>of("versionRegex", "version/([0-9.]+)"))
                                .options()
                                .release()
                                .versionRegex())
                .isEqualTo("version/([0-9.]+)");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of("releaseRepository", "other")))
                .hasMessageContaining("releaseRepository");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of("composeCommand", "rm -rf /")))
                .hasMessageContaining("composeCommand");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of("composeProjectDir", "/opt/../etc")))
                .hasMessageContaining("..");
        StackConfig c =
                StackConfig.from(
                        Map.<String, Object>of(
                                "containerCli",
                                "podman",
                                "composeCommand",
                                "podman-compose",
                                "releaseRestorePoint",
                                false));
        assertThat(c.options().release().containerCli()).isEqualTo("podman");
        assertThat(c.options().release().restorePoint()).isFalse();
    }

    @Test
    void onlyTheReleaseFunctions_mayUnmark_andOnlyOnTheAppRepository_andNoFunctionMayPush() {
        Map<String, Map<String, Object>> policies = DEFAULT.findResources("AWS::IAM::Policy");
        List<String> marking = new java.util.ArrayList<>();
        policies.forEach(
                (id, p) -> {
                    String text = p.toString();
                    assertThat(text)
                            .as(
                                    id
                                            + ": marks are put by the releasing operator, never by a function")
                            .doesNotContain("ecr:PutImage");
                    if (text.contains("ecr:BatchDeleteImage")) {
                        marking.add(String.valueOf(((Map<?, ?>) p.get("Properties")).get("Roles")));
                        assertThat(text)
                                .as(id)
                                .contains("ecr:BatchDeleteImage", "ecr:DescribeImages")
                                .contains("RepositoryWordpress");
                    }
                });
        assertThat(marking).hasSize(2);
        assertThat(String.join(" ", marking))
                .contains("ReleaseStatus")
                .contains("ReleaseDrift")
                .doesNotContain("LifecycleGuard");
    }

    @Test
    void lifecycleGuard_hearsEveryLifecycleRunInTheManagedRepositories() {
        Map<String, Map<String, Object>> rules =
                DEFAULT.findResources(
                        "AWS::Events::Rule",
                        Map.of(
                                "Properties",
                                Map.of(
                                        "EventPattern",
                                        Map.of(
                                                "source",
                                                List.of("aws.ecr"),
                                                "detail-type",
                                                List.of("AWS Service Event via CloudTrail"),
                                                "detail",
                                                Map.of(
                                                        "eventName",
                                                        List.of("PolicyExecutionEvent"),
                                                        "serviceEventDetails",
                                                        Map.of(
                                                                "repositoryName",
                                                                List.of("wordpress")))))));
        assertThat(rules).hasSize(1);
        assertThat(rules.values().iterator().next().toString()).contains("LifecycleGuard");
        DEFAULT.hasResourceProperties(
                "AWS::Lambda::Function",
                Map.of(
                        "Environment",
                        Map.of(
                                "Variables",
                                Match.objectLike(
                                        Map.of(
                                                "PROTECT_GRACE_DAYS",
                                                "7",
                                                "REGISTRY_AUTH",
                                                "ecr")))));
    }
}
