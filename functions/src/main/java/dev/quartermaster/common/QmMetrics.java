package dev.quartermaster.common;

import dev.quartermaster.contract.Metric;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/** The only way a function emits a metric: by its entry in the metric contract, in its unit. */
public final class QmMetrics {
    private QmMetrics() {
    }

    public static void add(Metric m, double value) {
        MetricsFactory.getMetricsInstance().addMetric(m.metricName(), value, switch (m.unit()) {
            case COUNT -> MetricUnit.COUNT;
            case BYTES -> MetricUnit.BYTES;
            case SECONDS -> MetricUnit.SECONDS;
            case NONE -> MetricUnit.NONE;
        });
    }

    public static void count(Metric m) {
        add(m, 1);
    }

    /** A name computed from a state (Verdict + kind, Release + status): refused unless the contract lists it. */
    public static void count(String name) {
        count(Metric.byName(name));
    }
}
