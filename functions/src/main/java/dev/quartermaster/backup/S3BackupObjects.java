package dev.quartermaster.backup;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Backup objects in S3. */
public final class S3BackupObjects implements BackupObjects {
    private final S3Client s3;

    public S3BackupObjects(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public Optional<Head> head(String bucket, String key) {
        try {
            var h = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new Head(h.contentLength(), h.metadata()));
        } catch (S3Exception e) {
            return absent(e);
        }
    }

    /** A 404 (NoSuchKey, or HEAD's bodiless 404) means "no such object"; anything else is an error. */
    private static <T> Optional<T> absent(S3Exception e) {
        if (e instanceof NoSuchKeyException || e.statusCode() == 404) {
            return Optional.empty();
        }
        throw e;
    }

    @Override
    public InputStream open(String bucket, String key) {
        ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
        return in;
    }

    @Override
    public Optional<String> text(String bucket, String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8));
        } catch (S3Exception e) {
            return absent(e);
        }
    }
}
