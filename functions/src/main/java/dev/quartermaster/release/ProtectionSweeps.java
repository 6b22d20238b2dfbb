package dev.quartermaster.release;

import dev.quartermaster.common.Text;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/** A protection sweep as the release functions run it: its figures in the outcome, a failure counted, never fatal. */
final class ProtectionSweeps {
    private ProtectionSweeps() {
    }

    /** Sweeps; what it did (or why it could not) for the outcome's details. A failed sweep leaves marks on: nothing is lost. */
    static Object run(ReleaseService service) {
        try {
            ReleaseProtection.Sweep s = service.sweepProtection();
            MetricsFactory.getMetricsInstance().addMetric("ProtectedDigests", s.kept().size(), MetricUnit.COUNT);
            if (!s.failed().isEmpty()) {
                MetricsFactory.getMetricsInstance().addMetric("ProtectionSweepFailed", 1, MetricUnit.COUNT);
            }
            return s.details();
        } catch (RuntimeException e) {
            MetricsFactory.getMetricsInstance().addMetric("ProtectionSweepFailed", 1, MetricUnit.COUNT);
            return "failed (the marks stay): " + Text.oneLine(String.valueOf(e.getMessage()), 300);
        }
    }
}
