package dev.quartermaster.events;

import java.util.List;
import java.util.Map;

/** detail of {@code source=aws.ecr, detail-type=ECR Image Scan}. Severity keys appear only when non-zero. */
public record EcrImageScan(
        String scanStatus,
        String repositoryName,
        String imageDigest,
        List<String> imageTags,
        Map<String, Integer> findingSeverityCounts) {

    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "ECR Image Scan";
}
