package dev.quartermaster.upkeep;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.util.function.Supplier;

/**
 * The upkeep runs' files in the archive bucket, under {@code upkeep/runs/} (not in the images jar,
 * which has no S3).
 */
public final class S3RunFiles implements RunFiles {
    private final Supplier<S3Client> s3;
    private final String bucket;

    public S3RunFiles(Supplier<S3Client> s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public void write(String key, byte[] bytes) {
        s3.get()
                .putObject(
                        b ->
                                b.bucket(bucket)
                                        .key(RunFiles.checked(key))
                                        .contentType("application/json"),
                        RequestBody.fromBytes(bytes));
    }

    @Override
    public InputStream open(String key) {
        try {
            return s3.get().getObject(b -> b.bucket(bucket).key(RunFiles.checked(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new RunFileMissingException(key);
            }
            throw e;
        }
    }
}
