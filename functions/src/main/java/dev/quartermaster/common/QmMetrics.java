package dev.quartermaster.common;

import dev.quartermaster.contract.Metric;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/** The only way a function emits a metric: by its entry in the metric contract, in its unit. */
public final class QmMetrics {
    private QmMetrics() {}

    public static void add(Metric m, double value) {
        metrics().addMetric(m.metricName(), value, unit(m));
    }

    /**
     * The function's metrics; while a primer runs, a logger of their own that is never flushed: the
     * path is walked (Powertools' and EMF's classes, the unit's mapping), and a primer's event,
     * which never happened, counts nothing.
     */
    private static Metrics metrics() {
        if (Priming.inProgress()) {
            if (primingSink == null) {
                primingSink =
                        new software.amazon.lambda.powertools.metrics.internal.EmfMetricsLogger(
                                new software.amazon.cloudwatchlogs.emf.environment
                                        .EnvironmentProvider(),
                                new software.amazon.cloudwatchlogs.emf.model.MetricsContext());
            }
            return primingSink;
        }
        return MetricsFactory.getMetricsInstance();
    }

    private static volatile Metrics primingSink;

    /**
     * Counts {@code m} once for the application and once more for {@code repository} (a metric with
     * both dimensions, flushed on its own: EMF puts one dimension set on every metric of a line).
     * The name is an ECR repository name the event parser validated, so it is a safe dimension
     * value.
     */
    public static void countFor(Metric m, String repository) {
        count(m);
        if (Priming.inProgress()) {
            return; // flushSingleMetric writes at once
        }
        MetricsFactory.getMetricsInstance()
                .flushSingleMetric(
                        m.metricName(),
                        1,
                        unit(m),
                        Metric.NAMESPACE,
                        DimensionSet.of(
                                Metric.DIMENSION,
                                Metric.DIMENSION_VALUE,
                                Metric.REPOSITORY_DIMENSION,
                                repository));
    }

    private static MetricUnit unit(Metric m) {
        return switch (m.unit()) {
            case COUNT -> MetricUnit.COUNT;
            case BYTES -> MetricUnit.BYTES;
            case SECONDS -> MetricUnit.SECONDS;
            case NONE -> MetricUnit.NONE;
        };
    }

    public static void count(Metric m) {
        add(m, 1);
    }

    /**
     * A name computed from a state (Verdict + kind, Release + status): refused unless the contract
     * lists it.
     */
    public static void count(String name) {
        count(Metric.byName(name));
    }
}
