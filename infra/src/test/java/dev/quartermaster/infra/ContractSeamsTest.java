package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.StackOutput;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The seams the contract module defines, as the synthesized template carries them: each host
 * document's parameters and fixed values are the contract's, the outputs are exactly {@link
 * StackOutput}'s, and the hosts reach the functions and the SendCommand grants as configured (the
 * way CatalogStackTest keeps the settings).
 */
class ContractSeamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TWO_HOSTS =
            "[{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]},"
                    + "{\"name\":\"web-1\",\"tagKey\":\"qm:web\",\"tagValue\":\"1\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"web-2\",\"tagKey\":\"qm:web\",\"tagValue\":\"2\",\"roles\":[\"app\"]}]";

    private static JsonNode template(Map<String, Object> context) {
        return JSON.valueToTree(StackFixture.template(context).toJSON());
    }

    private static JsonNode document(JsonNode template, HostDocument d) {
        for (JsonNode r : template.path("Resources")) {
            if ("AWS::SSM::Document".equals(r.path("Type").asText())) {
                JsonNode content = r.path("Properties").path("Content");
                String run =
                        content.path("mainSteps")
                                .get(0)
                                .path("inputs")
                                .path("runCommand")
                                .toString();
                boolean modeMatches =
                        d.fixed().containsKey("QM_MODE")
                                ? run.contains("QM_MODE='" + d.fixed().get("QM_MODE") + "'")
                                : !run.contains("export QM_MODE=");
                if (content.path("description").asText().equals(d.description()) && modeMatches) {
                    return content;
                }
            }
        }
        throw new AssertionError("no document for " + d);
    }

    @Test
    void everyHostDocument_isTheContractsDocument() {
        JsonNode t = template(Map.of());
        for (HostDocument d : HostDocument.values()) {
            JsonNode content = document(t, d);
            List<String> names = new ArrayList<>();
            content.path("parameters").fieldNames().forEachRemaining(names::add);
            assertThat(names)
                    .as(d.name())
                    .containsExactlyElementsOf(
                            d.params().stream().map(p -> p.param().ssmName()).toList());
            for (HostDocument.Param p : d.params()) {
                JsonNode def = content.path("parameters").path(p.param().ssmName());
                assertThat(def.path("allowedPattern").asText())
                        .as(d + " " + p.param())
                        .isEqualTo(p.allowedPattern());
                assertThat(def.has("default")).as(d + " " + p.param()).isEqualTo(!p.required());
                if (!p.required()) {
                    assertThat(def.path("default").asText()).isEqualTo(p.defaultValue());
                }
            }
            List<String> exports =
                    new ArrayList<>(); // the document's own lines, before the embedded script
            for (JsonNode l : content.path("mainSteps").get(0).path("inputs").path("runCommand")) {
                String line =
                        l.isTextual()
                                ? l.asText()
                                : l.toString(); // a value with a token (the account's ECR) is
                // an Fn::Join
                if (line.startsWith("qm_script=")) {
                    break;
                }
                var m = java.util.regex.Pattern.compile("export (QM_[A-Z_]+)=").matcher(line);
                if (m.find()) {
                    exports.add(m.group(1));
                }
            }
            Set<String> expected = new TreeSet<>(d.fixed().keySet());
            expected.addAll(d.siteVariables());
            d.params().forEach(p -> expected.add(p.param().envVar()));
            assertThat(new TreeSet<>(exports)).as(d.name()).isEqualTo(expected);
            d.fixed()
                    .forEach(
                            (k, v) ->
                                    assertThat(content.toString())
                                            .contains("export " + k + "='" + v + "'"));
        }
    }

    @Test
    void theOutputs_areExactlyTheContractsOutputs() {
        JsonNode t = template(Map.of("dbPasswordParameter", "/wordpress/db"));
        List<String> ids = new ArrayList<>();
        t.path("Outputs").fieldNames().forEachRemaining(ids::add);
        assertThat(ids)
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(StackOutput.values()).map(StackOutput::id).toList());
        assertThat(t.path("Outputs").path("DbPasswordParameter").path("Value").asText())
                .isEqualTo("/wordpress/db");
        assertThat(t.path("Outputs").path("DbContainer").path("Value").asText())
                .isEqualTo(StackOutput.EMPTY);
        assertThat(
                        dev.quartermaster.contract.RuleFormat.parse(
                                t.path("Outputs").path("VerifyRules").path("Value").asText()))
                .as(
                        "the rules bin/qm release checks a tag's promise with are the ones image-verify gets")
                .hasSameSizeAs(
                        dev.quartermaster.contract.RuleFormat.parse(
                                dev.quartermaster.contract.options.Options.VERIFY_RULES
                                        .defaultValue()));
        assertThat(Host.parseList(t.path("Outputs").path("Hosts").path("Value").asText()))
                .containsExactlyElementsOf(
                        Host.parseList(dev.quartermaster.contract.Setting.HOSTS.defaultValue()));
    }

    @Test
    void hosts_reachTheFunctions_andEachDocumentIsSentOnlyToItsRolesHosts() {
        Template t = StackFixture.template(Map.of("hosts", TWO_HOSTS));
        JsonNode json = JSON.valueToTree(t.toJSON());
        Map<String, List<String>> tagsByPolicy = new HashMap<>();
        json.path("Resources")
                .fields()
                .forEachRemaining(
                        e -> {
                            if ("AWS::IAM::Policy".equals(e.getValue().path("Type").asText())) {
                                for (JsonNode st :
                                        e.getValue()
                                                .path("Properties")
                                                .path("PolicyDocument")
                                                .path("Statement")) {
                                    if ("ssm:SendCommand".equals(st.path("Action").asText())
                                            && st.path("Resource")
                                                    .toString()
                                                    .contains(":instance/*")) {
                                        tagsByPolicy
                                                .computeIfAbsent(
                                                        e.getKey().replaceAll("[0-9A-F]{8}$", ""),
                                                        k -> new ArrayList<>())
                                                .add(
                                                        st.path("Condition")
                                                                .path("StringEquals")
                                                                .toString());
                                    }
                                }
                            }
                        });
        assertThat(tagsByPolicy).hasSize(3);
        tagsByPolicy.forEach(
                (policy, tags) -> {
                    if (policy.contains("Drift")) {
                        assertThat(tags)
                                .containsExactlyInAnyOrder(
                                        "{\"ssm:resourceTag/qm:web\":\"1\"}",
                                        "{\"ssm:resourceTag/qm:web\":\"2\"}");
                    } else {
                        assertThat(tags)
                                .as(policy)
                                .containsExactly("{\"ssm:resourceTag/qm:host\":\"db\"}");
                    }
                });
        assertThat(json.toString()).contains("\\\"name\\\":\\\"web-2\\\"");
    }

    @Test
    void hosts_areValidatedAtSynth_andTheFormerKeysStillWork() {
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "hosts",
                                                "[{\"name\":\"a\",\"tagKey\":\"k\",\"tagValue\":\"v\",\"roles\":[\"app\"]}]")))
                .hasMessageContaining("exactly one host must have the role database");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "hosts", TWO_HOSTS, "hostTagKey", "x")))
                .hasMessageContaining("remove hostTagKey and hostTagValue");
        StackConfig legacy =
                StackConfig.from(
                        Map.<String, Object>of("hostTagKey", "Role", "hostTagValue", "wordpress"));
        assertThat(legacy.options().hosts().hosts())
                .containsExactly(
                        new Host(
                                Host.DEFAULT_NAME,
                                "Role",
                                "wordpress",
                                Set.of(Host.Role.APP, Host.Role.DATABASE)));
        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("hostTagValue", "it's")))
                .hasMessageContaining("hostTagValue");
    }
}
