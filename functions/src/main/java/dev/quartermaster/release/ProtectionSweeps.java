package dev.quartermaster.release;

import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.common.Text;
import dev.quartermaster.contract.Metric;

/**
 * A protection sweep as the release functions run it: its figures in the outcome, a failure
 * counted, never fatal.
 */
final class ProtectionSweeps {
    private ProtectionSweeps() {}

    /**
     * Sweeps; what it did (or why it could not) for the outcome's details. A failed sweep leaves
     * marks on: nothing is lost.
     */
    static Object run(ReleaseService service) {
        try {
            ReleaseProtection.Sweep s = service.sweepProtection();
            QmMetrics.add(Metric.PROTECTED_DIGESTS, s.kept().size());
            if (!s.failed().isEmpty()) {
                QmMetrics.count(Metric.PROTECTION_SWEEP_FAILED);
            }
            return s.details();
        } catch (RuntimeException e) {
            QmMetrics.count(Metric.PROTECTION_SWEEP_FAILED);
            return "failed (the marks stay): " + Text.oneLine(String.valueOf(e.getMessage()), 300);
        }
    }
}
