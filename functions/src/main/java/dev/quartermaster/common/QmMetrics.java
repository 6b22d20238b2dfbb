package dev.quartermaster.common;

import dev.quartermaster.contract.Metric;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
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
                                        .EnvironmentProvider() {
                                    @Override
                                    public java.util.concurrent.CompletableFuture<Environment>
                                            resolveEnvironment() {
                                        return java.util.concurrent.CompletableFuture
                                                .completedFuture(DISCARDED);
                                    }

                                    @Override
                                    public Environment getDefaultEnvironment() {
                                        return DISCARDED;
                                    }
                                },
                                new software.amazon.cloudwatchlogs.emf.model.MetricsContext());
                primingSink.setNamespace(Metric.NAMESPACE);
            }
            return primingSink;
        }
        return MetricsFactory.getMetricsInstance();
    }

    /**
     * The metrics an invocation adds to and flushes: Powertools' instance; while a primer runs, the
     * priming logger, whose flush serialises the EMF line and drops it (the flush's path is primed,
     * and an event that never happened counts nothing).
     */
    public static Metrics instance() {
        return metrics();
    }

    /** Where the priming logger's lines go: serialised, then dropped. */
    private static final Environment DISCARDED =
            new Environment() {
                @Override
                public boolean probe() {
                    return true;
                }

                @Override
                public String getName() {
                    return "qm-priming";
                }

                @Override
                public String getType() {
                    return "qm-priming";
                }

                @Override
                public String getLogGroupName() {
                    return "qm-priming";
                }

                @Override
                public void configureContext(
                        software.amazon.cloudwatchlogs.emf.model.MetricsContext context) {}

                @Override
                public software.amazon.cloudwatchlogs.emf.sinks.ISink getSink() {
                    return new software.amazon.cloudwatchlogs.emf.sinks.ISink() {
                        @Override
                        public void accept(
                                software.amazon.cloudwatchlogs.emf.model.MetricsContext context) {
                            try {
                                context.serialize();
                            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                                throw new IllegalStateException(e);
                            }
                        }

                        @Override
                        public java.util.concurrent.CompletableFuture<Void> shutdown() {
                            return java.util.concurrent.CompletableFuture.completedFuture(null);
                        }
                    };
                }
            };

    private static volatile Metrics primingSink;

    /**
     * Counts {@code m} once for the application and once more for {@code repository} (a metric with
     * both dimensions, flushed on its own: EMF puts one dimension set on every metric of a line).
     * The name is an ECR repository name the event parser validated, so it is a safe dimension
     * value.
     */
    public static void countFor(Metric m, String repository) {
        count(m);
        metrics() // while priming, the priming logger: flushed to nothing
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
