package dev.quartermaster.backup;

import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/** Read access to backup objects (S3). */
public interface BackupObjects {
    /** Size and user metadata, or empty if there is no such object. */
    Optional<Head> head(String bucket, String key);

    InputStream open(String bucket, String key);

    Optional<String> text(String bucket, String key);

    record Head(long size, Map<String, String> metadata) {
    }
}
