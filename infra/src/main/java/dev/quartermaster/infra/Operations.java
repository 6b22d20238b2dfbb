package dev.quartermaster.infra;

import dev.quartermaster.contract.Metric;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.HorizontalAnnotation;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.LogQueryWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.SingleValueWidget;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;
import software.constructs.IConstruct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Operations at a glance: the alarms that were missing (no verified backup in time, as a metric;
 * the dead-letter queue's oldest message; each function's error rate) and one dashboard named after
 * the stack, in five rows: every alarm's state; backups; images (verdicts, archive, lifecycle);
 * releases (with a Logs Insights table of the last ones); the pipeline (dead letters, each
 * function's errors, throttles and p99 duration, EventBridge's failed deliveries, rejected events).
 * Every Quartermaster metric here comes from the metric contract ({@link Metric}).
 */
public final class Operations extends Construct {
    public record Props(
            String stackName,
            List<QmFunction> functions,
            IQueue deadLetters,
            ITopic alerts,
            int maxBackupAgeHours,
            QmFunction releaseStatus,
            List<String> repositories) {}

    private final Dashboard dashboard;
    private final List<Alarm> created = new ArrayList<>();

    public Operations(Construct scope, String id, Props props) {
        super(scope, id);
        SnsAction notify = new SnsAction(props.alerts());
        created.add(
                alarm(
                        "BackupAgeAlarm",
                        "No verified backup within maxBackupAgeHours ("
                                + props.maxBackupAgeHours()
                                + " h), or the watchdog stopped reporting",
                        metric(Metric.BACKUP_AGE_HOURS, "Maximum", Duration.hours(1)),
                        props.maxBackupAgeHours(),
                        2,
                        TreatMissingData.BREACHING,
                        notify));
        created.add(
                alarm(
                        "DeadLettersAgeAlarm",
                        "An event has waited in the dead-letter queue for more than an hour",
                        props.deadLetters()
                                .metricApproximateAgeOfOldestMessage(
                                        MetricOptions.builder()
                                                .period(Duration.minutes(5))
                                                .statistic("Maximum")
                                                .build()),
                        3600,
                        1,
                        TreatMissingData.NOT_BREACHING,
                        notify));
        for (QmFunction f : props.functions()) {
            MathExpression rate =
                    MathExpression.Builder.create()
                            .expression("IF(invocations > 0, 100 * errors / invocations, 0)")
                            .usingMetrics(
                                    Map.of(
                                            "errors",
                                            f.function()
                                                    .metricErrors(
                                                            MetricOptions.builder()
                                                                    .statistic("Sum")
                                                                    .build()),
                                            "invocations",
                                            f.function()
                                                    .metricInvocations(
                                                            MetricOptions.builder()
                                                                    .statistic("Sum")
                                                                    .build())))
                            .period(Duration.minutes(15))
                            .label(f.name() + " error %")
                            .build();
            created.add(
                    alarm(
                            QuartermasterStack.pascal(f.name()) + "ErrorsAlarm",
                            f.name() + ": more than 10% of invocations failed in 15 minutes",
                            rate,
                            10,
                            1,
                            TreatMissingData.NOT_BREACHING,
                            notify));
        }

        this.dashboard =
                Dashboard.Builder.create(this, "Dashboard")
                        .dashboardName(props.stackName())
                        .defaultInterval(Duration.days(14))
                        .build();
        List<IAlarm> alarms = allAlarms(scope);
        dashboard.addWidgets(
                AlarmStatusWidget.Builder.create()
                        .title("Every alarm of the stack")
                        .alarms(alarms)
                        .width(24)
                        .height(2 + alarms.size() / 4)
                        .build());
        dashboard.addWidgets(
                header(
                        "Backups: the newest verified backup's age (hourly, a line even without backups), size, duration, drills"));
        dashboard.addWidgets(
                graph(
                        "Age of the newest verified backup (hours)",
                        List.of(metric(Metric.BACKUP_AGE_HOURS, "Maximum", Duration.hours(1))),
                        HorizontalAnnotation.builder()
                                .value(props.maxBackupAgeHours())
                                .label(
                                        dev.quartermaster.contract.options.Options
                                                .MAX_BACKUP_AGE_HOURS
                                                .key())
                                .build()),
                graph(
                        "Backup size (bytes)",
                        List.of(metric(Metric.BACKUP_BYTES, "Maximum", Duration.days(1))),
                        null),
                graph(
                        "Backup and drill duration (s)",
                        List.of(
                                metric(Metric.BACKUP_SECONDS, "Maximum", Duration.days(1)),
                                metric(Metric.DRILL_SECONDS, "Maximum", Duration.days(1))),
                        null),
                SingleValueWidget.Builder.create()
                        .title("Backups and drills, 7 days")
                        .width(6)
                        .height(6)
                        .metrics(
                                List.of(
                                        metric(Metric.BACKUP_VERIFIED, "Sum", Duration.days(7)),
                                        metric(Metric.BACKUP_PASSED, "Sum", Duration.days(7)),
                                        metric(Metric.BACKUP_FAILED, "Sum", Duration.days(7))))
                        .build());
        dashboard.addWidgets(
                header("Images: verdicts, scans, tag moves, the archive, the lifecycle"));
        dashboard.addWidgets(
                graph(
                        "Verdicts per day",
                        List.of(
                                metric(Metric.VERDICT_VERIFIED, "Sum", Duration.days(1)),
                                metric(Metric.VERDICT_MISMATCH, "Sum", Duration.days(1)),
                                metric(Metric.VERDICT_UNVERIFIABLE, "Sum", Duration.days(1)),
                                metric(Metric.VERDICT_NO_RULE, "Sum", Duration.days(1)),
                                metric(Metric.SCAN_GATE_FAILED, "Sum", Duration.days(1)),
                                metric(Metric.TAG_MOVED, "Sum", Duration.days(1))),
                        null),
                graph(
                        "Archive: bytes stored vs already there",
                        List.of(
                                metric(Metric.ARCHIVE_BYTES_STORED, "Sum", Duration.days(1)),
                                metric(Metric.ARCHIVE_BYTES_DEDUPLICATED, "Sum", Duration.days(1))),
                        null),
                graph(
                        "Archive completeness",
                        List.of(
                                metric(Metric.ARCHIVE_FAILED, "Sum", Duration.days(1)),
                                metric(Metric.ARCHIVE_INCOMPLETE, "Maximum", Duration.days(1)),
                                metric(Metric.RECONCILE_ARCHIVED, "Sum", Duration.days(1))),
                        null),
                graph(
                        "Lifecycle: expired, needed-and-expired, protected",
                        List.of(
                                metric(Metric.LIFECYCLE_EXPIRED, "Sum", Duration.days(1)),
                                metric(Metric.LIFECYCLE_LOSS, "Sum", Duration.days(1)),
                                metric(Metric.PROTECTED_DIGESTS, "Maximum", Duration.days(1))),
                        null));
        dashboard.addWidgets( // the registry estate: empty graphs until replication or enhanced
                // scanning is on
                graph(
                        "Replicas per day: awaited, proven, failed, late",
                        List.of(
                                metric(Metric.REPLICA_PENDING, "Sum", Duration.days(1)),
                                metric(Metric.REPLICA_REPLICATED, "Sum", Duration.days(1)),
                                metric(Metric.REPLICA_FAILED, "Sum", Duration.days(1)),
                                metric(Metric.REPLICA_LATE, "Sum", Duration.days(1))),
                        null,
                        12),
                graph(
                        "Inspector: findings recorded, new ones on what runs",
                        List.of(
                                metric(Metric.INSPECTOR_FINDINGS, "Sum", Duration.days(1)),
                                metric(Metric.RUNNING_IMAGE_VULNERABLE, "Sum", Duration.days(1))),
                        null,
                        12));
        List<software.amazon.awscdk.services.cloudwatch.IWidget> perRepository = new ArrayList<>();
        for (String repository :
                props.repositories()) { // the verdicts of each managed repository, 7 days
            perRepository.add(
                    SingleValueWidget.Builder.create()
                            .title(repository + ": verdicts, 7 days")
                            .width(6)
                            .height(4)
                            .metrics(
                                    List.of(
                                                    Metric.VERDICT_VERIFIED,
                                                    Metric.VERDICT_MISMATCH,
                                                    Metric.VERDICT_UNVERIFIABLE,
                                                    Metric.SCAN_GATE_FAILED)
                                            .stream()
                                            .map(
                                                    m ->
                                                            (IMetric)
                                                                    metric(
                                                                            m,
                                                                            repository,
                                                                            "Sum",
                                                                            Duration.days(7)))
                                            .toList())
                            .build());
        }
        dashboard.addWidgets(
                perRepository.toArray(software.amazon.awscdk.services.cloudwatch.IWidget[]::new));
        dashboard.addWidgets(
                header("Releases: outcomes, duration, drift checks, the last releases"));
        dashboard.addWidgets(
                graph(
                        "Release outcomes per day",
                        List.of(
                                metric(Metric.RELEASE_RELEASED, "Sum", Duration.days(1)),
                                metric(Metric.RELEASE_ROLLED_BACK, "Sum", Duration.days(1)),
                                metric(Metric.RELEASE_ROLLBACK_FAILED, "Sum", Duration.days(1)),
                                metric(Metric.RELEASE_FAILED, "Sum", Duration.days(1)),
                                metric(Metric.RELEASE_REFUSED, "Sum", Duration.days(1))),
                        null),
                graph(
                        "Release duration (s)",
                        List.of(metric(Metric.RELEASE_SECONDS, "Maximum", Duration.days(1))),
                        null),
                graph(
                        "Drift checks",
                        List.of(
                                metric(Metric.RELEASE_CHECKED, "Sum", Duration.days(1)),
                                metric(Metric.RELEASE_DRIFT, "Sum", Duration.days(1))),
                        null),
                LogQueryWidget.Builder.create()
                        .title("Last releases")
                        .width(6)
                        .height(6)
                        .logGroupNames(List.of(props.releaseStatus().logs().getLogGroupName()))
                        .queryLines(
                                List.of(
                                        "fields @timestamp, outcome.details.kind as kind, outcome.details.status as result,"
                                                + " outcome.details.from as from, outcome.details.to as to, outcome.details.tag as tag",
                                        "filter ispresent(outcome.details.to) and outcome.details.kind != 'CHECK'",
                                        "sort @timestamp desc",
                                        "limit 20"))
                        .build());
        dashboard.addWidgets(
                header(
                        "Pipeline: dead letters, every function's errors, throttles and p99 duration, EventBridge, rejected events"));
        List<IMetric> errors = new ArrayList<>();
        List<IMetric> throttles = new ArrayList<>();
        List<IMetric> p99 = new ArrayList<>();
        for (QmFunction f : props.functions()) {
            MetricOptions o =
                    MetricOptions.builder()
                            .label(f.name())
                            .statistic("Sum")
                            .period(Duration.hours(1))
                            .build();
            errors.add(f.function().metricErrors(o));
            throttles.add(f.function().metricThrottles(o));
            p99.add(
                    f.function()
                            .metricDuration(
                                    MetricOptions.builder()
                                            .label(f.name())
                                            .statistic("p99")
                                            .period(Duration.hours(1))
                                            .build()));
        }
        List<IMetric> failedDeliveries = new ArrayList<>();
        for (IConstruct c : scope.getNode().findAll()) {
            if (c instanceof Rule r) {
                failedDeliveries.add(
                        software.amazon.awscdk.services.cloudwatch.Metric.Builder.create()
                                .namespace("AWS/Events")
                                .metricName("FailedInvocations")
                                .dimensionsMap(Map.of("RuleName", r.getRuleName()))
                                .statistic("Sum")
                                .period(Duration.hours(1))
                                .label(r.getNode().getPath())
                                .build());
            }
        }
        dashboard.addWidgets(
                graph(
                        "Dead letters: depth and oldest (s)",
                        List.of(
                                props.deadLetters()
                                        .metricApproximateNumberOfMessagesVisible(
                                                MetricOptions.builder()
                                                        .period(Duration.minutes(5))
                                                        .build()),
                                props.deadLetters()
                                        .metricApproximateAgeOfOldestMessage(
                                                MetricOptions.builder()
                                                        .period(Duration.minutes(5))
                                                        .statistic("Maximum")
                                                        .build())),
                        null),
                graph("Function errors", errors, null),
                graph("Function throttles", throttles, null),
                graph("Function duration p99 (ms)", p99, null));
        dashboard.addWidgets(
                graph("EventBridge deliveries that failed", failedDeliveries, null, 12),
                graph(
                        "Events rejected, ignored, duplicate",
                        List.of(
                                metric(Metric.EVENTS_REJECTED, "Sum", Duration.hours(1)),
                                metric(Metric.EVENTS_IGNORED, "Sum", Duration.hours(1)),
                                metric(Metric.EVENTS_DUPLICATE, "Sum", Duration.hours(1)),
                                metric(Metric.EVENTS_RECORDED, "Sum", Duration.hours(1))),
                        null,
                        12));
    }

    /** A metric of the contract, in its namespace and with its one dimension. */
    /**
     * The per-repository twin of a metric ({@link Metric#REPOSITORY_DIMENSION}), as {@code
     * QmMetrics.countFor} emits it.
     */
    static software.amazon.awscdk.services.cloudwatch.Metric metric(
            Metric m, String repository, String statistic, Duration period) {
        return software.amazon.awscdk.services.cloudwatch.Metric.Builder.create()
                .namespace(Metric.NAMESPACE)
                .metricName(m.metricName())
                .dimensionsMap(
                        new java.util.TreeMap<>(
                                Map.of(
                                        Metric.DIMENSION,
                                        Metric.DIMENSION_VALUE,
                                        Metric.REPOSITORY_DIMENSION,
                                        repository)))
                .statistic(statistic)
                .period(period)
                .label(m.metricName())
                .build();
    }

    static software.amazon.awscdk.services.cloudwatch.Metric metric(
            Metric m, String statistic, Duration period) {
        return software.amazon.awscdk.services.cloudwatch.Metric.Builder.create()
                .namespace(Metric.NAMESPACE)
                .metricName(m.metricName())
                .dimensionsMap(Map.of(Metric.DIMENSION, Metric.DIMENSION_VALUE))
                .statistic(statistic)
                .period(period)
                .label(m.metricName())
                .build();
    }

    private Alarm alarm(
            String id,
            String description,
            IMetric metric,
            double threshold,
            int periods,
            TreatMissingData missing,
            SnsAction notify) {
        Alarm a =
                Alarm.Builder.create(this, id)
                        .alarmDescription(description)
                        .metric(metric)
                        .threshold(threshold)
                        .evaluationPeriods(periods)
                        .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                        .treatMissingData(missing)
                        .build();
        a.addAlarmAction(notify);
        return a;
    }

    /** Every alarm of the stack, whoever created it: the status widget shows them all. */
    private static List<IAlarm> allAlarms(Construct scope) {
        List<IAlarm> out = new ArrayList<>();
        for (IConstruct c : scope.getNode().findAll()) {
            if (c instanceof Alarm a) {
                out.add(a);
            }
        }
        return out;
    }

    private static TextWidget header(String text) {
        return TextWidget.Builder.create().markdown("### " + text).width(24).height(1).build();
    }

    private static GraphWidget graph(
            String title, List<? extends IMetric> metrics, HorizontalAnnotation annotation) {
        return graph(title, metrics, annotation, 6);
    }

    private static GraphWidget graph(
            String title,
            List<? extends IMetric> metrics,
            HorizontalAnnotation annotation,
            int width) {
        GraphWidget.Builder b =
                GraphWidget.Builder.create()
                        .title(title)
                        .left(new ArrayList<>(metrics))
                        .width(width)
                        .height(6);
        if (annotation != null) {
            b.leftAnnotations(List.of(annotation));
        }
        return b.build();
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    public List<Alarm> alarms() {
        return List.copyOf(created);
    }
}
