package dev.quartermaster.common;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 client of the functions that use S3 (the archive and the backups); not in the image
 * functions' jar.
 */
public final class S3Clients {
    private S3Clients() {}

    public static S3Client create(AwsClients clients) {
        var builder = clients.configure(S3Client.builder(), "S3");
        // emulators answer on one host name: bucket-in-path addressing always works there
        clients.endpoint("S3").ifPresent(e -> builder.forcePathStyle(true));
        return builder.build();
    }
}
