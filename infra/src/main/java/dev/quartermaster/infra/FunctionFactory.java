package dev.quartermaster.infra;

import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Makes a function from its catalogue entry: the common settings, the ledger table actions its spec
 * names (no more), the right to log alerts and publish them, the dead-letter queue. The settings a
 * construct passes must be exactly those the catalogue says the function reads: a missing or extra
 * one fails the synth.
 */
final class FunctionFactory {
    private final java.util.function.Function<dev.quartermaster.contract.Bundle, Code> code;
    private final ITable ledger;
    private final ITopic alerts;
    private final IQueue deadLetters;
    private final List<QmFunction> created = new java.util.ArrayList<>();
    private final AlertLog alertLog;

    /**
     * The alert log's table and options: every function logs its alerts there, grouped as the
     * options say.
     */
    record AlertLog(ITable table, dev.quartermaster.contract.options.AlertOptions options) {}

    FunctionFactory(
            java.util.function.Function<dev.quartermaster.contract.Bundle, Code> code,
            ITable ledger,
            ITopic alerts,
            IQueue deadLetters,
            AlertLog alertLog) {
        this.code = code;
        this.ledger = ledger;
        this.alerts = alerts;
        this.deadLetters = deadLetters;
        this.alertLog = alertLog;
    }

    QmFunction create(Construct scope, FunctionSpec spec, Map<Setting, String> specific) {
        Map<Setting, String> env = new EnumMap<>(Setting.class);
        env.put(Setting.TABLE_NAME, ledger.getTableName());
        env.put(Setting.ALERT_TOPIC_ARN, alerts.getTopicArn());
        env.put(
                Setting.EXPECTED_ACCOUNT,
                Aws.ACCOUNT_ID); // events from another account or region are rejected
        env.put(Setting.ALERT_TABLE_NAME, alertLog.table().getTableName());
        env.put(Setting.ALERT_GROUP_MINUTES, Integer.toString(alertLog.options().groupMinutes()));
        env.put(
                Setting.ALERT_FLOOD_THRESHOLD,
                Integer.toString(alertLog.options().floodThreshold()));
        env.put(Setting.ALERT_RETENTION_DAYS, Integer.toString(alertLog.options().retentionDays()));
        env.putAll(specific);
        Set<Setting> given =
                env.isEmpty() ? EnumSet.noneOf(Setting.class) : EnumSet.copyOf(env.keySet());
        if (!given.equals(spec.settings())) {
            Set<Setting> missing = EnumSet.copyOf(spec.settings());
            missing.removeAll(given);
            Set<Setting> extra = EnumSet.copyOf(given);
            extra.removeAll(spec.settings());
            throw new IllegalStateException(
                    spec.name()
                            + ": the stack must set exactly the settings the catalogue lists;"
                            + " missing "
                            + names(missing)
                            + ", not read by the function "
                            + names(extra)
                            + " (dev.quartermaster.contract.Catalog)");
        }
        QmFunction fn =
                new QmFunction(
                        scope,
                        QuartermasterStack.pascal(spec.name()),
                        QmFunction.Props.builder()
                                .functionName(spec.name())
                                .handler(spec.handlerClass())
                                .code(code.apply(spec.bundle()))
                                .environment(
                                        env.entrySet().stream()
                                                .collect(
                                                        Collectors.toMap(
                                                                e -> e.getKey().name(),
                                                                Map.Entry::getValue)))
                                .memoryMb(spec.memoryMb())
                                .timeoutSeconds(spec.timeoutSeconds())
                                .deadLetters(deadLetters)
                                .build());
        // only the table actions this function uses: no Scan, no BatchWriteItem, no DeleteItem
        // (none at all for alert-sweep)
        if (!spec.tableAccess().actions().isEmpty()) {
            fn.function()
                    .addToRolePolicy(
                            PolicyStatement.Builder.create()
                                    .effect(Effect.ALLOW)
                                    .actions(
                                            spec.tableAccess().actions().stream()
                                                    .map(a -> "dynamodb:" + a)
                                                    .toList())
                                    .resources(List.of(ledger.getTableArn()))
                                    .build());
        }
        alerts.grantPublish(fn.function());
        // whatever raises an alert logs it: the alert log's items only (its indexes are the sweep's
        // alone)
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(
                                        FunctionSpec.ALERT_LOG_ACTIONS.stream()
                                                .map(a -> "dynamodb:" + a)
                                                .toList())
                                .resources(List.of(alertLog.table().getTableArn()))
                                .build());
        created.add(fn);
        return fn;
    }

    /**
     * More ledger actions for one function, where one of its paths needs them only in some
     * configurations.
     */
    void grantTable(QmFunction fn, String... actions) {
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(
                                        java.util.Arrays.stream(actions)
                                                .map(a -> "dynamodb:" + a)
                                                .toList())
                                .resources(List.of(ledger.getTableArn()))
                                .build());
    }

    /** Where failed deliveries of the stack's rules go. */
    IQueue deadLetters() {
        return deadLetters;
    }

    /** The alert topic. */
    ITopic alerts() {
        return alerts;
    }

    /** Every function built so far, in creation order (the dashboard's and the alarms' list). */
    List<QmFunction> created() {
        return List.copyOf(created);
    }

    private static String names(Set<Setting> s) {
        return s.isEmpty()
                ? "none"
                : s.stream()
                        .map(Enum::name)
                        .collect(Collectors.toCollection(TreeSet::new))
                        .toString();
    }
}
