package dev.quartermaster.common;

import dev.quartermaster.contract.Metric;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class QmMetricsTest {
    @Test
    void countFor_emitsTheApplicationsMetricAndItsPerRepositoryTwin() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            var metrics =
                    software.amazon.lambda.powertools.metrics.MetricsFactory.getMetricsInstance();
            metrics.setNamespace(Metric.NAMESPACE);
            metrics.setDefaultDimensions(
                    software.amazon.lambda.powertools.metrics.model.DimensionSet.of(
                            Metric.DIMENSION, Metric.DIMENSION_VALUE));
            QmMetrics.countFor(Metric.VERDICT_MISMATCH, "wordpress");
            metrics.flush();
        } finally {
            System.setOut(stdout);
        }
        String emf = bytes.toString(StandardCharsets.UTF_8);
        assertThat(emf)
                .contains("\"Repository\":\"wordpress\"", "[[\"Application\",\"Repository\"]]");
        assertThat(emf.lines().filter(l -> l.contains("VerdictMISMATCH"))).hasSize(2);
    }
}
