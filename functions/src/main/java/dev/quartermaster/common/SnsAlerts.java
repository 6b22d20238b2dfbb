package dev.quartermaster.common;

import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

import java.util.HashMap;
import java.util.Map;

/** Publishes alerts to the stack's SNS topic; attribute {@code kind} lets subscribers filter. */
public final class SnsAlerts implements Alerts {
    private final SnsClient sns;
    private final String topicArn;

    public SnsAlerts(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(Alert alert) {
        Map<String, MessageAttributeValue> attrs = new HashMap<>();
        attrs.put("kind", MessageAttributeValue.builder().dataType("String").stringValue(alert.kind()).build());
        sns.publish(b -> b.topicArn(topicArn).subject(alert.subject()).message(alert.message()).messageAttributes(attrs));
    }
}
