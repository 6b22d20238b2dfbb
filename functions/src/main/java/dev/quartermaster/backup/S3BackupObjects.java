package dev.quartermaster.backup;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Backup objects in S3. */
public final class S3BackupObjects implements BackupObjects {
    static final long MAX_SINGLE_COPY = 5L * 1024 * 1024 * 1024;
    static final long COPY_PART = 1024L * 1024 * 1024;
    private final java.util.function.Supplier<S3Client> client;

    /**
     * @param client built when first used: backup-start never touches S3
     */
    public S3BackupObjects(java.util.function.Supplier<S3Client> client) {
        this.client = client;
    }

    public S3BackupObjects(S3Client s3) {
        this(() -> s3);
    }

    @Override
    public Optional<Head> head(String bucket, String key) {
        try {
            var h = client.get().headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new Head(h.contentLength(), h.metadata()));
        } catch (S3Exception e) {
            return absent(e);
        }
    }

    /**
     * A 404 (NoSuchKey, or HEAD's bodiless 404) means "no such object"; anything else is an error.
     */
    private static <T> Optional<T> absent(S3Exception e) {
        if (e instanceof NoSuchKeyException || e.statusCode() == 404) {
            return Optional.empty();
        }
        throw e;
    }

    @Override
    public InputStream open(String bucket, String key) {
        ResponseInputStream<GetObjectResponse> in =
                client.get().getObject(b -> b.bucket(bucket).key(key));
        return in;
    }

    @Override
    public void copy(
            String bucket, String from, String to, long size, Map<String, String> metadata) {
        if (size <= MAX_SINGLE_COPY) {
            client.get()
                    .copyObject(
                            b ->
                                    b.sourceBucket(bucket)
                                            .sourceKey(from)
                                            .destinationBucket(bucket)
                                            .destinationKey(to)
                                            .metadata(metadata)
                                            .metadataDirective(MetadataDirective.REPLACE));
            return;
        }
        // CopyObject stops at 5 GB: copy by parts (UploadPartCopy), then complete; abort on any
        // failure
        String uploadId =
                client.get()
                        .createMultipartUpload(b -> b.bucket(bucket).key(to).metadata(metadata))
                        .uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long start = 0; start < size; start += COPY_PART, number++) {
                long end = Math.min(size, start + COPY_PART) - 1;
                int n = number;
                String range = "bytes=" + start + "-" + end;
                var r =
                        client.get()
                                .uploadPartCopy(
                                        b ->
                                                b.sourceBucket(bucket)
                                                        .sourceKey(from)
                                                        .destinationBucket(bucket)
                                                        .destinationKey(to)
                                                        .uploadId(uploadId)
                                                        .partNumber(n)
                                                        .copySourceRange(range));
                parts.add(
                        CompletedPart.builder()
                                .partNumber(n)
                                .eTag(r.copyPartResult().eTag())
                                .build());
            }
            client.get()
                    .completeMultipartUpload(
                            b ->
                                    b.bucket(bucket)
                                            .key(to)
                                            .uploadId(uploadId)
                                            .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            client.get().abortMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId));
            throw e;
        }
    }

    @Override
    public void putText(String bucket, String key, String text, String contentType) {
        client.get()
                .putObject(
                        b -> b.bucket(bucket).key(key).contentType(contentType),
                        RequestBody.fromString(text, StandardCharsets.UTF_8));
    }

    @Override
    public void delete(String bucket, String key) {
        client.get().deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public Optional<String> text(String bucket, String key) {
        try {
            return Optional.of(
                    client.get()
                            .getObjectAsBytes(b -> b.bucket(bucket).key(key))
                            .asString(StandardCharsets.UTF_8));
        } catch (S3Exception e) {
            return absent(e);
        }
    }
}
