package dev.quartermaster.archive;

import dev.quartermaster.registry.DigestMismatchException;
import dev.quartermaster.registry.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An OCI image layout in a directory, as skopeo ({@code oci:DIR:REF}), umoci and regctl read it.
 * Blobs are written to a temporary file, hashed on the way and moved into place only when they hash
 * to their digest. The index's version is the sha256 of its bytes; replacing it is atomic (rename)
 * and guarded by that version within this process.
 */
public final class DirectoryLayout implements ArchiveLayout {
    private final Path root;
    private final boolean qualifiedNames;

    /** A layout of many repositories: ref names are {@code repo:tag}. */
    public DirectoryLayout(Path root) {
        this(root, true);
    }

    /**
     * @param qualifiedNames false for a one-repository export: ref names are the tags alone ({@code
     *     oci:DIR:TAG})
     */
    public DirectoryLayout(Path root, boolean qualifiedNames) {
        this.root = root;
        this.qualifiedNames = qualifiedNames;
    }

    public Path root() {
        return root;
    }

    private Path blobPath(String digest) {
        return root.resolve("blobs/sha256").resolve(S3ArchiveLayout.hex(digest));
    }

    @Override
    public Optional<BlobInfo> blob(String digest) {
        Path p = blobPath(digest);
        try {
            return Optional.of(
                    new BlobInfo(digest, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void putBlob(String digest, long size, InputStream in) {
        Path target = blobPath(digest);
        Path temp = null;
        try (Digests.CountingDigestStream hashed = new Digests.CountingDigestStream(in)) {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = hashed.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    if (hashed.count() > size) {
                        break;
                    }
                }
            }
            S3ArchiveLayout.check(digest, size, hashed);
            move(temp, target);
            temp = null;
        } catch (DigestMismatchException e) {
            throw new ArchiveException("blob " + digest + " was not stored: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ArchiveException(
                    "writing blob " + digest + " to " + root + " failed: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a temporary file is not a blob
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public InputStream openBlob(String digest) {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw new ArchiveException("blob " + digest + " is not in " + root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<BlobInfo> blobs() {
        Path dir = root.resolve("blobs/sha256");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<BlobInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.matches("[a-f0-9]{64}")) {
                    out.add(
                            new BlobInfo(
                                    "sha256:" + name,
                                    Files.size(p),
                                    Files.getLastModifiedTime(p).toInstant()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void trash(Collection<String> digests) {
        digests.forEach(d -> moveBlob(blobPath(d), trashPath(d)));
    }

    @Override
    public void untrash(Collection<String> digests) {
        digests.forEach(d -> moveBlob(trashPath(d), blobPath(d)));
    }

    @Override
    public List<String> trashed() {
        Path dir = root.resolve("trash/sha256");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[a-f0-9]{64}"))
                    .map(n -> "sha256:" + n)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void purge(Collection<String> digests) {
        try {
            for (String d : digests) {
                Files.deleteIfExists(trashPath(d));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path trashPath(String digest) {
        return root.resolve("trash/sha256").resolve(S3ArchiveLayout.hex(digest));
    }

    private void moveBlob(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            move(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void quarantine(String digest) {
        moveBlob(
                blobPath(digest),
                root.resolve("quarantine/sha256").resolve(S3ArchiveLayout.hex(digest)));
    }

    @Override
    public synchronized Versioned readIndex() {
        Path p = root.resolve("index.json");
        try {
            byte[] bytes = Files.readAllBytes(p);
            return new Versioned(ArchiveIndex.parse(bytes), Digests.of(bytes));
        } catch (NoSuchFileException e) {
            return new Versioned(ArchiveIndex.empty(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized boolean replaceIndex(ArchiveIndex index, String expectedVersion) {
        Versioned now = readIndex();
        if (!java.util.Objects.equals(now.version(), expectedVersion)) {
            return false;
        }
        try {
            Files.createDirectories(root);
            Files.writeString(
                    root.resolve("oci-layout"),
                    "{\"imageLayoutVersion\":\"1.0.0\"}",
                    StandardCharsets.UTF_8);
            Path temp = Files.createTempFile(root, ".index-", ".tmp");
            Files.write(temp, index.toJson(qualifiedNames));
            move(temp, root.resolve("index.json"));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public boolean quarantined(String digest) {
        return Files.isRegularFile(
                root.resolve("quarantine/sha256").resolve(S3ArchiveLayout.hex(digest)));
    }

    /**
     * The runs' files under the directory, as under the bucket; the "bucket" is the directory's
     * name.
     */
    @Override
    public dev.quartermaster.upkeep.RunFiles runFiles() {
        return new dev.quartermaster.upkeep.DirectoryRunFiles(root, "dir-" + root.getFileName());
    }
}
