package dev.quartermaster.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the topic's subscribers get: e-mail the text with the next command; AWS Chatbot a custom
 * notification in its admin guide's schema (aws/chatbot/custom-notification.json, CHAT-CN in
 * events/SOURCES.md), short, threaded per subject.
 */
class SnsAlertsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Alert mismatch() {
        return new Alert(
                "MISMATCH",
                "MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5",
                "Image wordpress:wp-6.4-v3 lies. ".repeat(40),
                Map.of("repository", "wordpress", "tag", "wp-6.4-v3"),
                "bin/qm ledger wordpress:wp-6.4-v3 --aws");
    }

    @Test
    void message_isOnePerProtocol_defaultForChat_emailAsText() throws Exception {
        JsonNode m = JSON.readTree(SnsAlerts.message(mismatch()));

        assertThat(m.fieldNames()).toIterable().containsExactlyInAnyOrder("default", "email");
        assertThat(m.get("email").asText())
                .startsWith("Image wordpress:wp-6.4-v3 lies.")
                .contains("\n\nNext: bin/qm ledger wordpress:wp-6.4-v3 --aws")
                .endsWith("bin/qm alerts --kind MISMATCH --aws");
        assertThat(JSON.readTree(m.get("default").asText()).path("source").asText())
                .isEqualTo("custom");
    }

    @Test
    void chatNotification_usesOnlyTheSchemasFields_withTheNextCommandAsItsFirstStep()
            throws Exception {
        JsonNode n = JSON.readTree(SnsAlerts.chatNotification(mismatch()));
        JsonNode schema;
        try (InputStream in =
                getClass().getResourceAsStream("/aws/chatbot/custom-notification.json")) {
            schema = JSON.readTree(in);
        }

        assertThat(paths(n, "", true))
                .as("every field is the schema's")
                .isSubsetOf(paths(schema, "", true));
        assertThat(n.path("version").asText()).isEqualTo("1.0");
        assertThat(n.path("content").path("textType").asText()).isEqualTo("client-markdown");
        assertThat(n.path("content").path("title").asText())
                .isEqualTo(":warning: MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5");
        assertThat(n.path("content").path("description").asText())
                .hasSize(SnsAlerts.CHAT_DESCRIPTION)
                .endsWith("…");
        assertThat(n.path("content").path("nextSteps").get(0).asText())
                .isEqualTo("`bin/qm ledger wordpress:wp-6.4-v3 --aws`");
        assertThat(n.path("metadata").path("eventType").asText()).isEqualTo("MISMATCH");
        assertThat(n.path("metadata").path("additionalContext").path("tag").asText())
                .isEqualTo("wp-6.4-v3");
    }

    @Test
    void threadId_isOnePerKindAndSubject() {
        Alert again =
                new Alert(
                        "MISMATCH",
                        "other words",
                        "m",
                        Map.of("repository", "wordpress", "tag", "wp-6.4-v3"));
        Alert other =
                new Alert(
                        "MISMATCH",
                        "other words",
                        "m",
                        Map.of("repository", "wordpress", "tag", "wp-6.4-v4"));

        assertThat(SnsAlerts.threadId(again))
                .isEqualTo(SnsAlerts.threadId(mismatch()))
                .matches("qm-[0-9a-f]{16}");
        assertThat(SnsAlerts.threadId(other)).isNotEqualTo(SnsAlerts.threadId(mismatch()));
    }

    /** Field paths (array items as [], the free-form additionalContext's own keys left out). */
    static List<String> paths(JsonNode node, String at, boolean top) {
        List<String> out = new ArrayList<>();
        if (node.isObject() && !at.endsWith("additionalContext")) {
            node.fields()
                    .forEachRemaining(
                            e -> {
                                out.add(at + "." + e.getKey());
                                out.addAll(paths(e.getValue(), at + "." + e.getKey(), false));
                            });
        } else if (node.isArray()) {
            node.forEach(item -> out.addAll(paths(item, at + "[]", false)));
        }
        return out.stream().distinct().toList();
    }
}
