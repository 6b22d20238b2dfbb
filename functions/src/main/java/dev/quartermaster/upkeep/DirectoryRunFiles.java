package dev.quartermaster.upkeep;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Upkeep files in a directory (the directory twin of the archive bucket: the unit tests' and an
 * export's).
 */
public final class DirectoryRunFiles implements RunFiles {
    private final Path root;
    private final String bucket;

    public DirectoryRunFiles(Path root, String bucket) {
        this.root = root;
        this.bucket = bucket;
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public void write(String key, byte[] bytes) {
        Path p = root.resolve(RunFiles.checked(key));
        try {
            Files.createDirectories(p.getParent());
            Path temp = Files.createTempFile(p.getParent(), ".write-", ".tmp");
            Files.write(temp, bytes);
            Files.move(
                    temp,
                    p,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(String key) {
        try {
            return Files.newInputStream(root.resolve(RunFiles.checked(key)));
        } catch (NoSuchFileException e) {
            throw new RunFileMissingException(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
