package dev.quartermaster.testutils;

import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One S3Mock and one MariaDB per test JVM (each takes seconds to start), stopped at exit. */
public final class LocalBackends {
    public static final String BUCKET = "qm-backups";
    public static final String ARCHIVE_BUCKET = "qm-archive";
    private static LocalS3 s3;
    private static LocalMariaDb db;

    private LocalBackends() {}

    public static synchronized LocalS3 s3() {
        if (s3 == null) {
            s3 = LocalS3.start(tempDir("qm-s3"), List.of(BUCKET, "registry", ARCHIVE_BUCKET));
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close));
        }
        return s3;
    }

    public static synchronized LocalMariaDb mariaDb() {
        if (db == null) {
            db = LocalMariaDb.start(tempDir("qm-mariadb"));
            Runtime.getRuntime().addShutdownHook(new Thread(db::close));
        }
        return db;
    }

    public static HostScripts scripts() {
        return new HostScripts(repoRoot(), s3(), mariaDb());
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize();
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
