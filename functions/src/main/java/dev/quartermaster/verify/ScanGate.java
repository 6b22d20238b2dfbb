package dev.quartermaster.verify;

import java.util.Map;

/** Severity thresholds: counts above them fail the image. A limit of -1 means no limit. */
public record ScanGate(int maxCritical, int maxHigh) {

    /** ECR omits a severity whose count is zero: a missing key is zero. */
    public boolean fails(Map<String, Integer> counts) {
        int critical = counts.getOrDefault("CRITICAL", 0);
        int high = counts.getOrDefault("HIGH", 0);
        return (maxCritical >= 0 && critical > maxCritical) || (maxHigh >= 0 && high > maxHigh);
    }
}
