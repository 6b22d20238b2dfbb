package dev.quartermaster.events;

import java.util.List;
import java.util.Map;

/**
 * detail of {@code source=aws.ecr, detail-type=ECR Image Scan}. Severity keys appear only when
 * non-zero.
 */
public record EcrImageScan(
        String scanStatus,
        String repositoryName,
        String imageDigest,
        List<String> imageTags,
        Map<String, Integer> findingSeverityCounts) {

    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "ECR Image Scan";

    /** More severities than ECR has is not an ECR event. */
    static final int MAX_SEVERITIES = 16;

    /** The counts by severity (a missing key is zero), each checked to be a count. */
    public Map<String, Integer> severityCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        if (findingSeverityCounts == null) {
            return counts;
        }
        if (findingSeverityCounts.size() > MAX_SEVERITIES) {
            throw new MalformedEventException(
                    "finding-severity-counts has " + findingSeverityCounts.size() + " keys");
        }
        findingSeverityCounts.forEach(
                (k, v) -> {
                    if (k == null || !k.matches("[A-Z_]{1,32}")) {
                        throw new MalformedEventException(
                                "finding-severity-counts has a key that is not a severity");
                    }
                    if (v == null || v < 0) {
                        throw new MalformedEventException(
                                "finding-severity-counts." + k + " is not a count");
                    }
                    counts.put(k, v);
                });
        return counts;
    }
}
