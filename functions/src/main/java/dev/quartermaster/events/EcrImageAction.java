package dev.quartermaster.events;

/**
 * detail of {@code source=aws.ecr, detail-type=ECR Image Action}: a push, a delete, or (action-type
 * UPDATE_STORAGE_CLASS, no image-tag) an archive or restore with its {@code target-storage-class}
 * ARCHIVE | STANDARD (ECR user guide, "Amazon ECR events and EventBridge").
 */
public record EcrImageAction(
        String actionType,
        String result,
        String repositoryName,
        String imageDigest,
        String imageTag,
        String manifestMediaType,
        String artifactMediaType,
        String targetStorageClass) {

    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "ECR Image Action";
}
