package dev.quartermaster.backup;

import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/** Backup objects (S3): the function reads what the host staged and commits it under backups/. */
public interface BackupObjects {
    /** Size and user metadata, or empty if there is no such object. */
    Optional<Head> head(String bucket, String key);

    InputStream open(String bucket, String key);

    Optional<String> text(String bucket, String key);

    /** Server-side copy with new user metadata; objects over 5 GB are copied by parts. */
    void copy(String bucket, String from, String to, long size, Map<String, String> metadata);

    void putText(String bucket, String key, String text, String contentType);

    void delete(String bucket, String key);

    record Head(long size, Map<String, String> metadata) {}
}
