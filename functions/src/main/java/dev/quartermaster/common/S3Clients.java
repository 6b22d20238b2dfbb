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
        S3Client s3 = builder.build();
        primePaths(s3);
        return s3;
    }

    /**
     * Under SnapStart: every S3 operation the functions call, once, on the bucket {@link
     * PrimingGuard#MARK}, so the snapshot holds each one's request and answer path; the guard
     * answers all of them in-process (nothing is sent, nothing written or read).
     */
    static void primePaths(S3Client s3) {
        String bucket = PrimingGuard.MARK;
        String key = PrimingGuard.MARK + "/object";
        byte[] bytes = PrimingGuard.MARK.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Priming.reach(
                "S3 PutObject",
                () ->
                        s3.putObject(
                                b -> b.bucket(bucket).key(key).contentLength((long) bytes.length),
                                software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes)));
        Priming.reach("S3 GetObject", () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)));
        Priming.reach(
                "S3 GetObject (a stream)",
                () -> {
                    try (var in = s3.getObject(b -> b.bucket(bucket).key(key))) {
                        in.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        Priming.reach("S3 HeadObject", () -> s3.headObject(b -> b.bucket(bucket).key(key)));
        // and the answers of a key that is not there (a run's file not yet written, a blob gone)
        Priming.reach(
                "S3 GetObject, missing",
                () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(PrimingGuard.MISSING)));
        Priming.reach(
                "S3 HeadObject, missing",
                () -> s3.headObject(b -> b.bucket(bucket).key(PrimingGuard.MISSING)));
        Priming.reach(
                "S3 ListObjectsV2",
                () ->
                        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key))
                                .contents()
                                .forEach(o -> o.key()));
        Priming.reach(
                "S3 multipart upload",
                () -> {
                    String upload =
                            s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
                    var part =
                            s3.uploadPart(
                                    b ->
                                            b.bucket(bucket)
                                                    .key(key)
                                                    .uploadId(upload)
                                                    .partNumber(1)
                                                    .contentLength((long) bytes.length),
                                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
                    s3.completeMultipartUpload(
                            b ->
                                    b.bucket(bucket)
                                            .key(key)
                                            .uploadId(upload)
                                            .multipartUpload(
                                                    m ->
                                                            m.parts(
                                                                    p ->
                                                                            p.partNumber(1)
                                                                                    .eTag(
                                                                                            part
                                                                                                    .eTag()))));
                });
        Priming.reach(
                "S3 CopyObject",
                () ->
                        s3.copyObject(
                                b ->
                                        b.sourceBucket(bucket)
                                                .sourceKey(key)
                                                .destinationBucket(bucket)
                                                .destinationKey(key + "-copy")));
        Priming.reach(
                "S3 DeleteObjects",
                () ->
                        s3.deleteObjects(
                                b ->
                                        b.bucket(bucket)
                                                .delete(
                                                        d ->
                                                                d.objects(o -> o.key(key))
                                                                        .quiet(true))));
    }
}
