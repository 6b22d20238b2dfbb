package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Catalog;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The alert log's table and grants, the sweep, the e-mail subscriptions and the chat channel
 * (synthesized only with alertChat).
 */
class AlertingStackTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Template DEFAULT = StackFixture.template(Map.of());
    static final String SLACK =
            "{\"slackWorkspaceId\":\"T07ABCDE12\",\"slackChannelId\":\"C07ABCDE12\"}";
    static final String TEAMS =
            "{\"teamId\":\"74361522-da01-438d-aa2e-ac7918c6bb92\",\"teamsChannelId\":\"19%3ab6ef35dc342d4f4cb1e3cbbb0b0c1d1d%40thread.tacv2\","
                    + "\"teamsTenantId\":\"9c2e9d84-1c1a-4f59-9d0e-0f1b2c3d4e5f\"}";

    @Test
    void alertLog_isItsOwnTable_withItsTtl_andTheIndexesTheListingAndTheSweepQuery() {
        DEFAULT.hasResourceProperties(
                "AWS::DynamoDB::Table",
                Match.objectLike(
                        Map.of(
                                "TimeToLiveSpecification",
                                        Map.of("AttributeName", "expiresAt", "Enabled", true),
                                "GlobalSecondaryIndexes",
                                        Match.arrayWith(
                                                List.of(
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "IndexName",
                                                                        "Recent",
                                                                        "KeySchema",
                                                                        List.of(
                                                                                Map.of(
                                                                                        "AttributeName",
                                                                                        "log",
                                                                                        "KeyType",
                                                                                        "HASH"),
                                                                                Map.of(
                                                                                        "AttributeName",
                                                                                        "lastAt",
                                                                                        "KeyType",
                                                                                        "RANGE")))),
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "IndexName",
                                                                        "Due",
                                                                        "KeySchema",
                                                                        List.of(
                                                                                Map.of(
                                                                                        "AttributeName",
                                                                                        "due",
                                                                                        "KeyType",
                                                                                        "HASH"),
                                                                                Map.of(
                                                                                        "AttributeName",
                                                                                        "dueAt",
                                                                                        "KeyType",
                                                                                        "RANGE")))))),
                                "AttributeDefinitions",
                                        Match.arrayWith(
                                                List.of(
                                                        Map.of(
                                                                "AttributeName",
                                                                "lastAt",
                                                                "AttributeType",
                                                                "N"),
                                                        Map.of(
                                                                "AttributeName",
                                                                "dueAt",
                                                                "AttributeType",
                                                                "N"))))));
        assertThat(DEFAULT.findResources("AWS::DynamoDB::Table"))
                .containsKey(alertTable(DEFAULT))
                .hasSize(2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFunction_logsItsAlerts_withTheOptionsGrouping() {
        Template t =
                StackFixture.template(
                        Map.of(
                                "alertGroupMinutes",
                                30,
                                "alertFloodThreshold",
                                25,
                                "alertRetentionDays",
                                400));
        String table = alertTable(t);
        var functions = t.findResources("AWS::Lambda::Function");
        int ours = 0;
        for (var f : functions.values()) {
            Map<String, Object> props = (Map<String, Object>) f.get("Properties");
            if (!String.valueOf(props.get("Handler")).startsWith("dev.quartermaster.")) {
                continue;
            }
            ours++;
            Map<String, Object> vars =
                    (Map<String, Object>)
                            ((Map<String, Object>) props.get("Environment")).get("Variables");
            assertThat(JSON.valueToTree(vars.get("ALERT_TABLE_NAME")).toString()).contains(table);
            assertThat(vars)
                    .containsEntry("ALERT_GROUP_MINUTES", "30")
                    .containsEntry("ALERT_FLOOD_THRESHOLD", "25")
                    .containsEntry("ALERT_RETENTION_DAYS", "400");
        }
        assertThat(ours)
                .isEqualTo(
                        Catalog.ALL.size()
                                - 2); // image-replication and replication-backfill are deployed
        // only with a replication destination
        for (String fn :
                List.of(
                        "ImageAction",
                        "BackupStatus",
                        "ReleaseStatus",
                        "ArchivePrune",
                        "LifecycleGuard",
                        "AlertSweep")) {
            assertThat(actionsOn(t, fn, table))
                    .as(fn + " on the alert log")
                    .containsExactlyInAnyOrder(
                            "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
        }
    }

    @Test
    void alertSweep_runsEveryFiveMinutes_andAloneQueriesTheDueIndex() {
        DEFAULT.hasResourceProperties(
                "AWS::Events::Rule",
                Map.of(
                        "ScheduleExpression",
                        "rate(5 minutes)",
                        "Description",
                        Catalog.ALERT_SWEEP.description(),
                        "State",
                        "ENABLED",
                        "Targets",
                        Match.anyValue()));
        String policies = JSON.valueToTree(DEFAULT.findResources("AWS::IAM::Policy")).toString();
        assertThat(policies.split("/index/Due", -1)).as("one grant on the Due index").hasSize(2);
        assertThat(
                        JSON.valueToTree(
                                        DEFAULT.findResources(
                                                "AWS::IAM::Policy",
                                                Match.objectLike(
                                                        Map.of(
                                                                "Properties",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "PolicyName",
                                                                                Match
                                                                                        .stringLikeRegexp(
                                                                                                "AlertSweep.*")))))))
                                .toString())
                .contains("/index/Due")
                .contains("dynamodb:Query");
    }

    @Test
    void theStacksAlarmsGoingToAlarm_reachTheSweep_toBeLogged() {
        Map<String, Object> pattern =
                Map.of(
                        "source",
                        List.of("aws.cloudwatch"),
                        "detail-type",
                        List.of("CloudWatch Alarm State Change"),
                        "detail",
                        Map.of(
                                "alarmName",
                                List.of(Map.of("prefix", "Test-")),
                                "state",
                                Map.of("value", List.of("ALARM"))));
        var rules =
                DEFAULT.findResources(
                        "AWS::Events::Rule",
                        Match.objectLike(
                                Map.of(
                                        "Properties",
                                        Match.objectLike(Map.of("EventPattern", pattern)))));
        assertThat(rules).hasSize(1);
        assertThat(JSON.valueToTree(rules).toString()).contains("\"Ref\":\"AlertSweepLive");
    }

    @Test
    void noChatChannel_withoutTheOption() {
        assertThat(DEFAULT.findResources("AWS::Chatbot::SlackChannelConfiguration")).isEmpty();
        assertThat(DEFAULT.findResources("AWS::Chatbot::MicrosoftTeamsChannelConfiguration"))
                .isEmpty();
        assertThat(DEFAULT.findResources("AWS::SNS::Subscription")).isEmpty();
    }

    @Test
    void slackChannel_getsTheTopic_withAReadOnlyRoleAndGuardrail() {
        Template t = StackFixture.template(Map.of("alertChat", SLACK));

        t.hasResourceProperties(
                "AWS::Chatbot::SlackChannelConfiguration",
                Match.objectLike(
                        Map.of(
                                "SlackWorkspaceId",
                                "T07ABCDE12",
                                "SlackChannelId",
                                "C07ABCDE12",
                                "UserRoleRequired",
                                false,
                                "SnsTopicArns",
                                List.of(Map.of("Ref", topic(t))),
                                "GuardrailPolicies",
                                List.of(readOnlyArn()))));
        t.hasResourceProperties(
                "AWS::IAM::Role",
                Match.objectLike(
                        Map.of(
                                "AssumeRolePolicyDocument",
                                        Match.objectLike(
                                                Map.of(
                                                        "Statement",
                                                        List.of(
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Principal",
                                                                                Map.of(
                                                                                        "Service",
                                                                                        "chatbot.amazonaws.com")))))),
                                "ManagedPolicyArns", List.of(readOnlyArn()))));
        assertThat(t.findResources("AWS::Chatbot::MicrosoftTeamsChannelConfiguration")).isEmpty();
    }

    @Test
    void teamsChannel_getsTheTopic_withTheSameGuardrail() {
        Template t = StackFixture.template(Map.of("alertChat", TEAMS));

        t.hasResourceProperties(
                "AWS::Chatbot::MicrosoftTeamsChannelConfiguration",
                Match.objectLike(
                        Map.of(
                                "TeamId",
                                "74361522-da01-438d-aa2e-ac7918c6bb92",
                                "TeamsTenantId",
                                "9c2e9d84-1c1a-4f59-9d0e-0f1b2c3d4e5f",
                                "TeamsChannelId",
                                "19%3ab6ef35dc342d4f4cb1e3cbbb0b0c1d1d%40thread.tacv2",
                                "SnsTopicArns",
                                List.of(Map.of("Ref", topic(t))),
                                "GuardrailPolicies",
                                List.of(readOnlyArn()))));
        assertThat(t.findResources("AWS::Chatbot::SlackChannelConfiguration")).isEmpty();
    }

    @Test
    void alertEmails_eachSubscribed_withTheOlderSingleAddressToo() {
        Template t =
                StackFixture.template(
                        Map.of(
                                "alertEmails",
                                List.of("ops@example.com", "dba@example.com"),
                                "alertEmail",
                                "old@example.com"));

        for (String address : List.of("ops@example.com", "dba@example.com", "old@example.com")) {
            t.hasResourceProperties(
                    "AWS::SNS::Subscription",
                    Map.of(
                            "Protocol",
                            "email",
                            "Endpoint",
                            address,
                            "TopicArn",
                            Map.of("Ref", topic(t))));
        }
        assertThat(t.findResources("AWS::SNS::Subscription")).hasSize(3);
    }

    @Test
    void badAlertOptions_areRefused_eachWithItsFix() {
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "alertChat",
                                                "{\"slackWorkspaceId\":\"T1\",\"teamId\":\"x\"}",
                                                "alertEmails",
                                                List.of("ops@example.com", "nope"),
                                                "alertGroupMinutes",
                                                0)))
                .hasMessageContaining("alertChat: name one channel, Slack")
                .hasMessageContaining("alertEmails: 'nope' is not an e-mail address")
                .hasMessageContaining("alertGroupMinutes: 0 is outside 1..1440");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "alertChat",
                                                "{\"slackWorkspaceId\":\"t-lower\",\"slackChannelId\":\"C1\"}")))
                .hasMessageContaining("alertChat: slackWorkspaceId (uppercase letters and digits");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "alertChat",
                                                "{\"teamId\":\"74361522-da01-438d-aa2e-ac7918c6bb92\","
                                                        + "\"teamsChannelId\":\"general\",\"teamsTenantId\":\"9c2e9d84-1c1a-4f59-9d0e-0f1b2c3d4e5f\"}")))
                .hasMessageContaining("teamsChannelId the channel's id URL-encoded");
        assertThat(
                        StackConfig.from(Map.<String, Object>of("alertChat", Map.of()))
                                .options()
                                .operations()
                                .alerts()
                                .chat())
                .as("{} as in cdk.json: none")
                .isNull();
    }

    static Object readOnlyArn() {
        return Map.of(
                "Fn::Join",
                List.of(
                        "",
                        List.of(
                                "arn:",
                                Map.of("Ref", "AWS::Partition"),
                                ":iam::aws:policy/CloudWatchReadOnlyAccess")));
    }

    static String alertTable(Template t) {
        return t.findResources("AWS::DynamoDB::Table").keySet().stream()
                .filter(k -> k.startsWith("AlertLog"))
                .findFirst()
                .orElseThrow();
    }

    static String topic(Template t) {
        return t.findResources("AWS::SNS::Topic").keySet().iterator().next();
    }

    /**
     * The DynamoDB actions the role of the function whose logical id starts with {@code function}
     * may run on {@code table}.
     */
    static List<String> actionsOn(Template t, String function, String table) {
        List<String> out = new ArrayList<>();
        JsonNode all = JSON.valueToTree(t.toJSON()).path("Resources");
        all.fields()
                .forEachRemaining(
                        e -> {
                            JsonNode p = e.getValue().path("Properties");
                            if (!e.getValue().path("Type").asText().equals("AWS::IAM::Policy")
                                    || !p.path("Roles")
                                            .toString()
                                            .contains(function + "ServiceRole")) {
                                return;
                            }
                            for (JsonNode s : p.path("PolicyDocument").path("Statement")) {
                                String resource = s.path("Resource").toString();
                                if (resource.contains("\"" + table + "\"")
                                        && !resource.contains("/index/")) {
                                    s.path("Action").forEach(a -> out.add(a.asText()));
                                    if (s.path("Action").isTextual()) {
                                        out.add(s.path("Action").asText());
                                    }
                                }
                            }
                        });
        return out;
    }
}
