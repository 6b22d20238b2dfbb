package dev.quartermaster.infra;

import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.chatbot.CfnMicrosoftTeamsChannelConfiguration;
import software.amazon.awscdk.services.chatbot.CfnSlackChannelConfiguration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.IManagedPolicy;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
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
 * customer-managed key whose policy lets CloudWatch alarms and EventBridge publish: with the
 * AWS-managed alias/aws/sns key the alarms would notify no one), its e-mail subscriptions and chat
 * channel, the dead-letter queue and the two alarms on it.
 */
public final class Alerting extends Construct {
    /**
     * {@code alertEmails}: each subscribed to the topic (SNS sends a confirmation first); {@code
     * chat}: the Slack or Microsoft Teams channel AWS Chatbot posts the topic's alerts to (null:
     * none).
     */
    public record Props(
            List<String> alertEmails, dev.quartermaster.contract.options.AlertOptions.Chat chat) {
        public Props {
            if (alertEmails == null) {
                throw new IllegalArgumentException(
                        "alertEmails must be a list (empty: subscribe later), not null");
            }
            alertEmails = List.copyOf(alertEmails);
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private List<String> alertEmails = List.of();
            private dev.quartermaster.contract.options.AlertOptions.Chat chat;

            /** Default: none (subscribe later in the SNS console). */
            public Builder alertEmails(List<String> v) {
                this.alertEmails = v;
                return this;
            }

            /** Default: no chat channel. */
            public Builder chat(dev.quartermaster.contract.options.AlertOptions.Chat v) {
                this.chat = v;
                return this;
            }

            public Props build() {
                return new Props(alertEmails, chat);
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
        if (props.chat() != null) {
            chat(props.chat());
        }
    }

    /**
     * AWS Chatbot (Amazon Q Developer in chat applications) posts the topic's alerts in the
     * channel. Its role and its guardrail are read-only and narrow: CloudWatch's read-only policy
     * (alarm graphs and logs in the channel), nothing else; without a guardrail AWS applies
     * AdministratorAccess to what the channel's members may run.
     */
    private void chat(dev.quartermaster.contract.options.AlertOptions.Chat chat) {
        IManagedPolicy readOnly =
                ManagedPolicy.fromAwsManagedPolicyName("CloudWatchReadOnlyAccess");
        Role role =
                Role.Builder.create(this, "ChatRole")
                        .description(
                                "AWS Chatbot in the Quartermaster alerts channel: read-only CloudWatch")
                        .assumedBy(new ServicePrincipal("chatbot.amazonaws.com"))
                        .managedPolicies(List.of(readOnly))
                        .build();
        String name = software.amazon.awscdk.Stack.of(this).getStackName() + "-alerts";
        if (chat.slack()) {
            CfnSlackChannelConfiguration.Builder.create(this, "SlackChannel")
                    .configurationName(name)
                    .slackWorkspaceId(chat.slackWorkspaceId())
                    .slackChannelId(chat.slackChannelId())
                    .iamRoleArn(role.getRoleArn())
                    .snsTopicArns(List.of(topic.getTopicArn()))
                    .guardrailPolicies(List.of(readOnly.getManagedPolicyArn()))
                    .userRoleRequired(false)
                    .loggingLevel("ERROR")
                    .build();
        } else {
            CfnMicrosoftTeamsChannelConfiguration.Builder.create(this, "TeamsChannel")
                    .configurationName(name)
                    .teamId(chat.teamId())
                    .teamsChannelId(chat.teamsChannelId())
                    .teamsTenantId(chat.teamsTenantId())
                    .iamRoleArn(role.getRoleArn())
                    .snsTopicArns(List.of(topic.getTopicArn()))
                    .guardrailPolicies(List.of(readOnly.getManagedPolicyArn()))
                    .userRoleRequired(false)
                    .loggingLevel("ERROR")
                    .build();
        }
    }

    private Topic topic(Props props) {
        Key key =
                Key.Builder.create(this, "Key")
                        .description(
                                "Quartermaster alert topic: lets CloudWatch alarms and EventBridge publish to it")
                        .enableKeyRotation(true)
                        .removalPolicy(RemovalPolicy.DESTROY)
                        .pendingWindow(Duration.days(7))
                        .build();
        key.addToResourcePolicy(
                PolicyStatement.Builder.create()
                        .effect(Effect.ALLOW)
                        .principals(
                                List.of(
                                        new ServicePrincipal("cloudwatch.amazonaws.com"),
                                        new ServicePrincipal("events.amazonaws.com")))
                        .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                        .resources(List.of("*"))
                        .conditions(
                                Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                        .build());
        Topic t =
                Topic.Builder.create(this, "Resource")
                        .displayName("Quartermaster alerts")
                        .enforceSsl(true)
                        .masterKey(key)
                        .build();
        props.alertEmails().forEach(address -> t.addSubscription(new EmailSubscription(address)));
        return t;
    }

    private Queue deadLetterQueue() {
        Queue q =
                Queue.Builder.create(this, "DeadLetters")
                        .retentionPeriod(Duration.days(14))
                        .encryption(QueueEncryption.SQS_MANAGED)
                        .enforceSsl(true)
                        .build();
        Alarm.Builder.create(this, "DeadLettersAlarm")
                .alarmDescription(
                        "Events Quartermaster could not process are waiting in the dead-letter queue")
                .metric(
                        q.metricApproximateNumberOfMessagesVisible()
                                .with(MetricOptions.builder().period(Duration.minutes(5)).build()))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build()
                .addAlarmAction(new SnsAction(topic));
        return q;
    }

    /**
     * Malformed events are answered, not retried: this alarm makes sure a person still hears of
     * them.
     */
    private void rejectedEventsAlarm() {
        Alarm.Builder.create(this, "RejectedEventsAlarm")
                .alarmDescription(
                        "Quartermaster rejected malformed events (see the function logs for the reason and payload)")
                .metric(
                        Metric.Builder.create()
                                .namespace(dev.quartermaster.contract.Metric.NAMESPACE)
                                .metricName(
                                        dev.quartermaster.contract.Metric.EVENTS_REJECTED
                                                .metricName())
                                .dimensionsMap(
                                        Map.of(
                                                dev.quartermaster.contract.Metric.DIMENSION,
                                                dev.quartermaster.contract.Metric.DIMENSION_VALUE))
                                .statistic("Sum")
                                .period(Duration.hours(1))
                                .build())
                .threshold(1)
                .evaluationPeriods(1)
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
