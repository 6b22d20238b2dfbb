package dev.quartermaster.ledger;

import java.util.Optional;

/**
 * ECR's storage classes for an image (ECR API reference, {@code UpdateImageStorageClass}: {@code
 * targetStorageClass} STANDARD | ARCHIVE). An ARCHIVE image cannot be pulled (a pull answers 404)
 * until it is restored to STANDARD.
 */
public enum StorageClass {
    STANDARD,
    ARCHIVE;

    /**
     * The class ECR names ({@code target-storage-class} of an ECR Image Action event, upper case);
     * empty for anything else.
     */
    public static Optional<StorageClass> of(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The AWS CLI command that brings an archived image back to STANDARD (ECR API reference,
     * UpdateImageStorageClass; ECR user guide, "Restoring an image"). ECR restores within about 20
     * minutes; pushing the same image again restores it too.
     */
    public static String restoreCommand(String repository, String digest) {
        return "aws ecr update-image-storage-class --repository-name "
                + repository
                + " --image-id imageDigest="
                + digest
                + " --target-storage-class STANDARD";
    }
}
