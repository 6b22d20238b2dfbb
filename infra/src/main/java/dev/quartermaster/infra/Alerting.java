package dev.quartermaster.infra;

import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * Where alerts go and what makes sure a person hears of failures: the alert topic (encrypted with a
 * customer-managed key whose policy lets CloudWatch alarms and EventBridge publish: with the AWS-managed
 * alias/aws/sns key the alarms would notify no one), the dead-letter queue and the two alarms on it.
 */
public final class Alerting extends Construct {
    /** {@code alertEmail}: subscribed to the topic when not empty (SNS sends a confirmation first). */
    public record Props(String alertEmail) {
        public Props {
            if (alertEmail == null) {
                throw new IllegalArgumentException("alertEmail must be an address or empty, not null");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private String alertEmail = "";

            /** Default: none (subscribe later in the SNS console). */
            public Builder alertEmail(String v) {
                this.alertEmail = v;
                return this;
            }

            public Props build() {
                return new Props(alertEmail);
            }
        }
    }

    private final Topic topic;
    private final Queue deadLetters;

    public Alerting(Construct scope, String id, Props props) {
        super(scope, id);
        this.topic = topic(props);
        this.deadLetters = deadLetterQueue();
        rejectedEventsAlarm();
    }

    private Topic topic(Props props) {
        Key key = Key.Builder.create(this, "Key")
                .description("Quartermaster alert topic: lets CloudWatch alarms and EventBridge publish to it")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .pendingWindow(Duration.days(7))
                .build();
        key.addToResourcePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
        Topic t = Topic.Builder.create(this, "Resource")
                .displayName("Quartermaster alerts")
                .enforceSsl(true)
                .masterKey(key)
                .build();
        if (!props.alertEmail().isEmpty()) {
            t.addSubscription(new EmailSubscription(props.alertEmail()));
        }
        return t;
    }

    private Queue deadLetterQueue() {
        Queue q = Queue.Builder.create(this, "DeadLetters")
                .retentionPeriod(Duration.days(14))
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .build();
        Alarm.Builder.create(this, "DeadLettersAlarm")
                .alarmDescription("Events Quartermaster could not process are waiting in the dead-letter queue")
                .metric(q.metricApproximateNumberOfMessagesVisible().with(MetricOptions.builder().period(Duration.minutes(5)).build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build()
                .addAlarmAction(new SnsAction(topic));
        return q;
    }

    /** Malformed events are answered, not retried: this alarm makes sure a person still hears of them. */
    private void rejectedEventsAlarm() {
        Alarm.Builder.create(this, "RejectedEventsAlarm")
                .alarmDescription("Quartermaster rejected malformed events (see the function logs for the reason and payload)")
                .metric(Metric.Builder.create().namespace(dev.quartermaster.contract.Metric.NAMESPACE)
                        .metricName(dev.quartermaster.contract.Metric.EVENTS_REJECTED.metricName())
                        .dimensionsMap(Map.of(dev.quartermaster.contract.Metric.DIMENSION, dev.quartermaster.contract.Metric.DIMENSION_VALUE))
                        .statistic("Sum").period(Duration.hours(1)).build())
                .threshold(1).evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build()
                .addAlarmAction(new SnsAction(topic));
    }

    public Topic topic() {
        return topic;
    }

    public Queue deadLetters() {
        return deadLetters;
    }
}
