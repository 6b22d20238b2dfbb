package dev.quartermaster.archive;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where archived images live: an OCI image layout ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/<hex>}) in S3 ({@link S3ArchiveLayout}) or in a directory ({@link DirectoryLayout}:
 * what {@code bin/qm archive export} writes, and the fast twin of the unit tests).
 *
 * <p>A blob is stored only once its bytes hashed to its digest while they were written: a blob that
 * is present is a blob that was right when written (the scrub re-checks that it still is). The
 * index is replaced only if nobody replaced it since it was read (compare-and-swap), so concurrent
 * archivers never lose each other's entries.
 */
public interface ArchiveLayout {

    /** A stored blob: digest, size and when it was (last) written. */
    record BlobInfo(String digest, long size, Instant lastModified) {}

    /**
     * The index as read, with the version to pass back to {@link #replaceIndex}; version null: no
     * index yet.
     */
    record Versioned(ArchiveIndex index, String version) {}

    /** The blob if it is stored (with the size its digest was verified at). */
    Optional<BlobInfo> blob(String digest);

    /**
     * Stores exactly {@code size} bytes of {@code in} as {@code digest}, hashing them on the way.
     * Bytes that do not hash to the digest, or are more or fewer than {@code size}, leave nothing
     * stored and throw {@link dev.quartermaster.registry.DigestMismatchException} (wrapped in
     * {@link ArchiveException}).
     */
    void putBlob(String digest, long size, InputStream in);

    /**
     * As {@link #putBlob(String, long, InputStream)}, for a run that must end by {@code deadline}:
     * a layout that waits for memory (a free part buffer) stops waiting then, with an {@link
     * ArchiveException}.
     */
    default void putBlob(String digest, long size, InputStream in, Instant deadline) {
        putBlob(digest, size, in);
    }

    /**
     * The stored bytes, as stored (callers that hand them on verify them: see {@link
     * ImageSource#fromLayout}).
     */
    InputStream openBlob(String digest);

    /** Every stored blob. */
    List<BlobInfo> blobs();

    /**
     * The prune's first phase: moves blobs to {@code trash/}, where nothing reads them (an archiver
     * that looks for one finds it missing and copies it again), yet {@link #untrash} can put them
     * back unchanged.
     */
    void trash(Collection<String> digests);

    /** Moves trashed blobs back where they were (with the sha256 they were verified at). */
    void untrash(Collection<String> digests);

    /** The digests in {@code trash/} (left by a prune that stopped halfway). */
    List<String> trashed();

    /** Deletes trashed blobs for good. */
    void purge(Collection<String> digests);

    /**
     * Moves a blob aside (scrub: a blob that no longer hashes to its digest is kept for inspection,
     * not served).
     */
    void quarantine(String digest);

    Versioned readIndex();

    /**
     * @return false if the index changed since {@code expectedVersion} was read (read it again and
     *     retry)
     */
    boolean replaceIndex(ArchiveIndex index, String expectedVersion);

    /** Where this layout is, for messages ({@code s3://bucket/prefix}, a path). */
    String describe();

    /**
     * A blob the scrub moved to {@code quarantine/}: a redriven scrub batch reports it corrupt
     * again, not gone.
     */
    default boolean quarantined(String digest) {
        return false;
    }

    /**
     * The files of the upkeep runs ({@code upkeep/runs/}) beside this layout, in the same bucket or
     * directory.
     */
    default dev.quartermaster.upkeep.RunFiles runFiles() {
        throw new UnsupportedOperationException(describe() + " keeps no upkeep runs");
    }
}
