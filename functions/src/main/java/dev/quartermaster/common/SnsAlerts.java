package dev.quartermaster.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Publishes alerts to the stack's SNS topic; attribute {@code kind} lets subscribers filter. One
 * message per protocol (SNS's {@code MessageStructure=json}): e-mail subscribers get the text with
 * the next command; every other subscriber, AWS Chatbot (Amazon Q Developer in chat applications)
 * among them, gets a custom notification in the schema its admin guide gives ("Custom notifications
 * using Amazon Q Developer in chat applications"): a short title and description, the next command
 * as the next step, threaded by kind and subject.
 */
public final class SnsAlerts implements Alerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What chat shows of the message: enough for what happened; the e-mail and bin/qm alerts have
     * the rest.
     */
    static final int CHAT_DESCRIPTION = 600;

    private final SnsClient sns;
    private final String topicArn;

    public SnsAlerts(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(Alert alert) {
        Map<String, MessageAttributeValue> attrs = new HashMap<>();
        attrs.put(
                "kind",
                MessageAttributeValue.builder()
                        .dataType("String")
                        .stringValue(alert.kind())
                        .build());
        sns.publish(
                b ->
                        b.topicArn(topicArn)
                                .subject(alert.subject())
                                .messageStructure("json")
                                .message(message(alert))
                                .messageAttributes(attrs));
    }

    /**
     * The Message of a {@code MessageStructure=json} publish: {@code default} (the chat
     * notification) and {@code email} (text).
     */
    static String message(Alert alert) {
        ObjectNode m = JSON.createObjectNode();
        m.put("default", chatNotification(alert));
        m.put("email", emailText(alert));
        return m.toString();
    }

    /** The e-mail: the whole message, then the command to run. */
    static String emailText(Alert a) {
        return a.message()
                + (a.next() == null ? "" : "\n\nNext: " + a.next())
                + "\n\nEvery alert is logged: bin/qm alerts --kind "
                + a.kind()
                + " --aws";
    }

    /**
     * A custom notification for AWS Chatbot: version 1.0, source custom, client-markdown content,
     * metadata to thread it.
     */
    static String chatNotification(Alert a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", "1.0");
        n.put("source", "custom");
        ObjectNode content = n.putObject("content");
        content.put("textType", "client-markdown");
        content.put("title", ":warning: " + a.subject());
        String description =
                a.message().length() > CHAT_DESCRIPTION
                        ? a.message().substring(0, CHAT_DESCRIPTION - 1) + "…"
                        : a.message();
        content.put("description", description);
        ArrayNode steps = content.putArray("nextSteps");
        if (a.next() != null) {
            steps.add("`" + a.next().replace("`", "'") + "`");
        }
        steps.add("`bin/qm alerts --kind " + a.kind() + " --aws`");
        content.putArray("keywords").add(a.kind());
        ObjectNode metadata = n.putObject("metadata");
        metadata.put("threadId", threadId(a));
        metadata.put("summary", a.subject());
        metadata.put("eventType", a.kind());
        ObjectNode context = metadata.putObject("additionalContext");
        a.attributes().forEach(context::put);
        return n.toString();
    }

    /** One thread per kind and subject: a repeat's summary lands under the first alert. */
    static String threadId(Alert a) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    (a.kind() + "\n" + a.subjectKey())
                                            .getBytes(StandardCharsets.UTF_8));
            return "qm-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
