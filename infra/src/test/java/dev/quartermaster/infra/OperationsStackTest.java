package dev.quartermaster.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Metric;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the alarms: every Quartermaster metric they read is in the metric contract,
 * every alarm is on the dashboard.
 */
class OperationsStackTest {
    private static final Template DEFAULT = StackFixture.template(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QM_METRIC =
            Pattern.compile(
                    "\\\\\""
                            + Metric.NAMESPACE
                            + "\\\\\",\\\\\"([A-Za-z_]+)\\\\\",\\\\\""
                            + Metric.DIMENSION
                            + "\\\\\"");

    /**
     * The dashboard's body as CloudFormation holds it (a join of text and references), as one
     * string.
     */
    static String body(Template t) throws Exception {
        JsonNode dashboards = JSON.valueToTree(t.findResources("AWS::CloudWatch::Dashboard"));
        assertThat(dashboards.size()).isEqualTo(1);
        return dashboards.elements().next().path("Properties").path("DashboardBody").toString();
    }

    /** Every Quartermaster-namespace metric name the dashboard and the alarms read. */
    static Set<String> metricsRead(Template t) throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = QM_METRIC.matcher(body(t));
        while (m.find()) {
            names.add(m.group(1));
        }
        t.findResources("AWS::CloudWatch::Alarm")
                .values()
                .forEach(
                        a -> {
                            JsonNode p = JSON.valueToTree(a).path("Properties");
                            if (Metric.NAMESPACE.equals(p.path("Namespace").asText())) {
                                names.add(p.path("MetricName").asText());
                            }
                            p.path("Metrics")
                                    .forEach(
                                            q -> {
                                                if (Metric.NAMESPACE.equals(
                                                        q.path("MetricStat")
                                                                .path("Metric")
                                                                .path("Namespace")
                                                                .asText())) {
                                                    names.add(
                                                            q.path("MetricStat")
                                                                    .path("Metric")
                                                                    .path("MetricName")
                                                                    .asText());
                                                }
                                            });
                        });
        return names;
    }

    @Test
    void everyQuartermasterMetricTheDashboardAndTheAlarmsRead_isInTheContract() throws Exception {
        Set<String> read = metricsRead(DEFAULT);
        assertThat(read)
                .contains(
                        "BackupAgeHours",
                        "VerdictMISMATCH",
                        "ReleaseRolledBack",
                        "EventsRejected",
                        "LifecycleLoss");
        read.forEach(Metric::byName); // throws for a name no function may emit
        assertThat(body(DEFAULT))
                .doesNotContain(
                        "\\\"Quartermaster\\\",\\\"" + "Verdict\\\""); // no half-built names
    }

    @Test
    void everyAlarmOfTheStack_isOnTheAlarmWidget() throws Exception {
        Set<String> alarms = DEFAULT.findResources("AWS::CloudWatch::Alarm").keySet();
        assertThat(alarms)
                .hasSizeGreaterThan(
                        15); // dead letters (2), rejected events, backup age, one per function
        String body = body(DEFAULT);
        assertThat(body).contains("alarms");
        for (String id : alarms) {
            assertThat(body).as(id).contains(id);
        }
    }

    @Test
    void theMissingAlarms_exist_andTheDashboardIsNamedAfterTheStack() {
        assertThat(backupAgeAlarm(DEFAULT))
                .contains("BackupAgeHours", "Maximum", "Quartermaster")
                .contains("Threshold=26")
                .contains("TreatMissingData=breaching");
        DEFAULT.hasResourceProperties(
                "AWS::CloudWatch::Alarm",
                Map.of("MetricName", "ApproximateAgeOfOldestMessage", "Threshold", 3600));
        DEFAULT.hasResourceProperties(
                "AWS::CloudWatch::Alarm",
                Map.of(
                        "AlarmDescription",
                        Match.stringLikeRegexp(
                                "image-verify: more than 10% of invocations failed.*")));
        DEFAULT.hasResourceProperties(
                "AWS::CloudWatch::Dashboard",
                Map.of("DashboardName", "Test")); // the fixture's stack name
        assertThat(backupAgeAlarm(StackFixture.template(Map.of("maxBackupAgeHours", 50))))
                .contains("Threshold=50");
    }

    private static String backupAgeAlarm(Template t) {
        var found =
                t.findResources(
                        "AWS::CloudWatch::Alarm",
                        Map.of(
                                "Properties",
                                Map.of(
                                        "AlarmDescription",
                                        Match.stringLikeRegexp(
                                                "No verified backup within maxBackupAgeHours.*"))));
        assertThat(found).hasSize(1);
        return found.values().iterator().next().toString();
    }
}
