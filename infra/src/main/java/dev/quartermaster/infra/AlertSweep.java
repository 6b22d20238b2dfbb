package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * alert-sweep, every five minutes: summarises the alert windows that ended (once) and delivers first alerts nobody delivered.
 * Besides what every function may do with the alert log, it lists what is due: Query on the Due index, nothing else.
 */
public final class AlertSweep extends Construct {
    static final Duration EVERY = Duration.minutes(5);

    private final QmFunction function;

    AlertSweep(Construct scope, String id, FunctionFactory functions, ITable alertLog) {
        super(scope, id);
        this.function = functions.create(this, Catalog.ALERT_SWEEP, Map.of());
        function.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(List.of("dynamodb:Query"))
                .resources(List.of(alertLog.getTableArn() + "/index/Due")).build());
        Rule.Builder.create(this, "SweepSchedule").description(Catalog.ALERT_SWEEP.description()).schedule(Schedule.rate(EVERY))
                .targets(List.of(function.target())).build();
    }

    public QmFunction function() {
        return function;
    }
}
