package dev.quartermaster.events;

/** detail of {@code source=aws.ecr, detail-type=ECR Image Action}. */
public record EcrImageAction(
        String actionType,
        String result,
        String repositoryName,
        String imageDigest,
        String imageTag,
        String manifestMediaType,
        String artifactMediaType) {

    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "ECR Image Action";
}
