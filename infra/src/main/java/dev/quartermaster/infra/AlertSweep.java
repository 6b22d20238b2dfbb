package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * alert-sweep, every five minutes: summarises the alert windows that ended (once) and delivers
 * first alerts nobody delivered; and each of the stack's alarms going to ALARM, which it logs.
 * Besides what every function may do with the alert log, it lists what is due: Query on the Due
 * index, nothing else.
 */
public final class AlertSweep extends Construct {
    /**
     * What CloudWatch sends EventBridge when an alarm changes state (CloudWatch user guide, "Alarm
     * events and EventBridge").
     */
    static final class CloudWatchAlarmSource {
        static final String SOURCE = "aws.cloudwatch";
        static final String DETAIL_TYPE = "CloudWatch Alarm State Change";
    }

    static final Duration EVERY = Duration.minutes(5);

    private final QmFunction function;

    AlertSweep(Construct scope, String id, FunctionFactory functions, ITable alertLog) {
        super(scope, id);
        this.function = functions.create(this, Catalog.ALERT_SWEEP, Map.of());
        function.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("dynamodb:Query"))
                                .resources(List.of(alertLog.getTableArn() + "/index/Due"))
                                .build());
        Rule.Builder.create(this, "SweepSchedule")
                .description(Catalog.ALERT_SWEEP.description())
                .schedule(Schedule.rate(EVERY))
                .targets(List.of(function.target()))
                .build();
        // the stack's alarms (CloudFormation names an unnamed alarm <stack>-<logical id>-<suffix>)
        // going to ALARM: logged, as
        // every alert is; their own action already published them to the topic
        Rule.Builder.create(this, "AlarmRule")
                .description("The stack's CloudWatch alarms going to ALARM, into the alert log")
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of(CloudWatchAlarmSource.SOURCE))
                                .detailType(List.of(CloudWatchAlarmSource.DETAIL_TYPE))
                                .detail(
                                        Map.of(
                                                "alarmName",
                                                List.of(
                                                        Map.of(
                                                                "prefix",
                                                                Stack.of(this).getStackName()
                                                                        + "-")),
                                                "state",
                                                Map.of("value", List.of("ALARM"))))
                                .build())
                .targets(List.of(function.target()))
                .build();
    }

    public QmFunction function() {
        return function;
    }
}
