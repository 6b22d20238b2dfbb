package dev.quartermaster.events;

import java.util.List;
import java.util.Map;

/**
 * detail of {@code source=aws.inspector2, detail-type=Inspector2 Scan} for an ECR image (enhanced
 * scanning): {@code repository-name} is the repository's ARN; the counts carry a TOTAL besides the
 * severities.
 */
public record Inspector2Scan(
        String scanStatus,
        String repositoryName,
        String imageDigest,
        List<String> imageTags,
        Map<String, Integer> findingSeverityCounts) {

    public static final String SOURCE = "aws.inspector2";
    public static final String DETAIL_TYPE = "Inspector2 Scan";

    /** The severity counts (TOTAL left out, a missing key is zero), checked as ECR's are. */
    public Map<String, Integer> severityCounts() {
        Map<String, Integer> counts =
                new EcrImageScan(
                                scanStatus,
                                repositoryName,
                                imageDigest,
                                imageTags,
                                findingSeverityCounts)
                        .severityCounts();
        counts.remove("TOTAL");
        return counts;
    }

    /**
     * The repository's name out of its ARN ({@code arn:aws:ecr:REGION:ACCOUNT:repository/NAME}).
     */
    public String repository() {
        return Inspector2Finding.repositoryOfArn(repositoryName);
    }
}
