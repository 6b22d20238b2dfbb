package dev.quartermaster.archive;

import dev.quartermaster.registry.DigestMismatchException;
import dev.quartermaster.registry.Digests;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The archive in S3: {@code <prefix>oci-layout}, {@code <prefix>index.json}, {@code
 * <prefix>blobs/sha256/<hex>}. A blob up to one part is read into a part buffer, hashed and put
 * whole; a larger one goes up as a multipart upload, hashed as it is read, its parts uploaded while
 * the next ones are read (several in flight), and completed only when every byte hashed to the
 * digest (aborted otherwise: nothing is left behind). Every byte held in memory is in one of the
 * layout's {@link PartBuffers}: {@code buffers x partBytes} (128 MiB by default) bounds the memory
 * of all the blobs copied at once, whatever their number and size. Each object carries its verified
 * sha256 as metadata. The index is replaced with S3 conditional writes (If-Match on the ETag read,
 * If-None-Match when it did not exist yet).
 */
public final class S3ArchiveLayout implements ArchiveLayout {
    /**
     * 16 MiB: a WordPress image's layers mostly fit in one part; 10 000 parts cover blobs up to 160
     * GiB.
     */
    public static final int DEFAULT_PART_BYTES = 16 * 1024 * 1024;

    /**
     * 8 x 16 MiB = 128 MiB: room for four blobs at once with a part of each in flight and one being
     * read.
     */
    public static final int DEFAULT_BUFFERS = 8;

    static final String SHA256 = "sha256";
    private final Supplier<S3Client> s3;
    private final String bucket;
    private final String prefix;
    private final int partBytes;
    private final StorageClass largeBlobClass;
    private final long largeBlobBytes;
    private final PartBuffers buffers;
    private final ExecutorService uploads;

    public S3ArchiveLayout(Supplier<S3Client> s3, String bucket, String prefix) {
        this(s3, bucket, prefix, DEFAULT_PART_BYTES, null, Long.MAX_VALUE);
    }

    public S3ArchiveLayout(
            Supplier<S3Client> s3,
            String bucket,
            String prefix,
            int partBytes,
            StorageClass largeBlobClass,
            long largeBlobBytes) {
        this(s3, bucket, prefix, partBytes, DEFAULT_BUFFERS, largeBlobClass, largeBlobBytes);
    }

    /**
     * @param largeBlobClass storage class for blobs of at least {@code largeBlobBytes} (layers,
     *     e.g. GLACIER_IR); null keeps everything in STANDARD. Manifests and configs are small and
     *     stay in STANDARD.
     */
    public S3ArchiveLayout(
            Supplier<S3Client> s3,
            String bucket,
            String prefix,
            int partBytes,
            int buffers,
            StorageClass largeBlobClass,
            long largeBlobBytes) {
        if (partBytes < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB");
        }
        this.buffers = new PartBuffers(buffers, partBytes);
        // at most one upload per buffer is ever in flight (each holds its part's buffer): the
        // threads are bounded by the buffers
        this.uploads =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "qm-s3-part");
                            t.setDaemon(true);
                            return t;
                        });
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix =
                prefix == null || prefix.isEmpty()
                        ? ""
                        : prefix.endsWith("/") ? prefix : prefix + "/";
        this.partBytes = partBytes;
        this.largeBlobClass = largeBlobClass;
        this.largeBlobBytes = largeBlobBytes;
    }

    private String blobKey(String digest) {
        return prefix + "blobs/sha256/" + hex(digest);
    }

    static String hex(String digest) {
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw new ArchiveException("'" + digest + "' is not a sha256 digest");
        }
        return digest.substring(7);
    }

    @Override
    public Optional<BlobInfo> blob(String digest) {
        try {
            var h = s3.get().headObject(b -> b.bucket(bucket).key(blobKey(digest)));
            if (!hex(digest).equals(h.metadata().get(SHA256))) {
                return Optional.empty(); // not written by a verified put: as good as absent
            }
            return Optional.of(new BlobInfo(digest, h.contentLength(), h.lastModified()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Without a run's deadline a wait for a part buffer still ends: after Lambda's longest run. */
    static final Duration LONGEST_WAIT = Duration.ofMinutes(15);

    @Override
    public void putBlob(String digest, long size, InputStream in) {
        putBlob(digest, size, in, Instant.now().plus(LONGEST_WAIT));
    }

    /**
     * Every path returns the part buffers it takes: a read that fails gives its buffer back, an
     * upload gives its own back when it ends however it ends, and a part that already failed stops
     * the copy before the next buffer is taken. A wait for a free buffer ends at {@code deadline}
     * with an {@link ArchiveException}.
     */
    @Override
    public void putBlob(String digest, long size, InputStream in, Instant deadline) {
        String key = blobKey(digest);
        Map<String, String> metadata = Map.of(SHA256, hex(digest));
        StorageClass storage =
                largeBlobClass != null && size >= largeBlobBytes
                        ? largeBlobClass
                        : StorageClass.STANDARD;
        try (Digests.CountingDigestStream hashed = new Digests.CountingDigestStream(in)) {
            if (size <= partBytes) {
                byte[] buffer = buffers.take(deadline);
                try {
                    int n = hashed.readNBytes(buffer, 0, (int) size);
                    if (n == size
                            && hashed.read()
                                    >= 0) { // one byte more than the descriptor says: counted, so
                        // check() refuses it
                        throw new DigestMismatchException(
                                digest, "(longer than " + size + " bytes)", hashed.count());
                    }
                    check(digest, size, hashed);
                    s3.get()
                            .putObject(
                                    b ->
                                            b.bucket(bucket)
                                                    .key(key)
                                                    .metadata(metadata)
                                                    .storageClass(storage)
                                                    .contentLength((long) n),
                                    body(buffer, n));
                } finally {
                    buffers.give(buffer);
                }
                return;
            }
            String uploadId =
                    s3.get()
                            .createMultipartUpload(
                                    b ->
                                            b.bucket(bucket)
                                                    .key(key)
                                                    .metadata(metadata)
                                                    .storageClass(storage))
                            .uploadId();
            List<Future<CompletedPart>> parts = new ArrayList<>();
            try {
                for (int number = 1; ; number++) {
                    failFast(
                            parts); // before taking a buffer: once one is taken, only its upload or
                    // a give returns it
                    byte[] buffer = buffers.take(deadline);
                    int n;
                    try {
                        n = hashed.readNBytes(buffer, 0, partBytes);
                        if (hashed.count() > size) {
                            throw new DigestMismatchException(
                                    digest, "sha256:" + hashed.hex(), hashed.count());
                        }
                    } catch (IOException | RuntimeException e) {
                        buffers.give(buffer);
                        throw e;
                    }
                    if (n == 0) {
                        buffers.give(buffer);
                        break;
                    }
                    parts.add(uploadPart(key, uploadId, number, buffer, n));
                    if (n < partBytes) {
                        break;
                    }
                }
                check(digest, size, hashed);
                List<CompletedPart> done = new ArrayList<>();
                for (Future<CompletedPart> f : parts) {
                    done.add(result(f));
                }
                s3.get()
                        .completeMultipartUpload(
                                b ->
                                        b.bucket(bucket)
                                                .key(key)
                                                .uploadId(uploadId)
                                                .multipartUpload(m -> m.parts(done)));
            } catch (RuntimeException | IOException e) {
                settle(parts); // no part may land after the abort
                s3.get().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                throw e;
            }
        } catch (DigestMismatchException e) {
            throw new ArchiveException("blob " + digest + " was not stored: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ArchiveException(
                    "reading blob " + digest + " to archive it failed: " + e.getMessage(), e);
        }
    }

    /** Part buffers free right now (all of them when no copy runs). */
    int freeBuffers() {
        return buffers.available();
    }

    /**
     * Uploads one part on the layout's upload threads; its buffer goes back to the pool when the
     * upload ends, however it ends.
     */
    private Future<CompletedPart> uploadPart(
            String key, String uploadId, int part, byte[] buffer, int n) {
        try {
            return uploads.submit(
                    () -> {
                        try {
                            String etag =
                                    s3.get()
                                            .uploadPart(
                                                    b ->
                                                            b.bucket(bucket)
                                                                    .key(key)
                                                                    .uploadId(uploadId)
                                                                    .partNumber(part)
                                                                    .contentLength((long) n),
                                                    body(buffer, n))
                                            .eTag();
                            return CompletedPart.builder().partNumber(part).eTag(etag).build();
                        } finally {
                            buffers.give(buffer);
                        }
                    });
        } catch (RuntimeException e) {
            buffers.give(buffer);
            throw e;
        }
    }

    /**
     * The part's bytes as the SDK reads them (as often as it needs: signing, retries), without
     * copying the buffer.
     */
    private static RequestBody body(byte[] buffer, int n) {
        return RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(buffer, 0, n), n, "application/octet-stream");
    }

    /** A part that already failed ends the upload now, not after the whole blob has been read. */
    private static void failFast(List<Future<CompletedPart>> parts) {
        for (Future<CompletedPart> f : parts) {
            if (f.isDone()) {
                result(f);
            }
        }
    }

    private static CompletedPart result(Future<CompletedPart> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while uploading a part", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ArchiveException("uploading a part failed: " + e.getCause(), e.getCause());
        }
    }

    /** Waits for every part upload to end, whatever its result. */
    private static void settle(List<Future<CompletedPart>> parts) {
        for (Future<CompletedPart> f : parts) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException ignored) {
                // the first failure is what the caller reports
            }
        }
    }

    static void check(String digest, long size, Digests.CountingDigestStream hashed)
            throws DigestMismatchException {
        String actual = "sha256:" + hashed.hex();
        if (hashed.count() != size || !actual.equals(digest)) {
            throw new DigestMismatchException(digest, actual, hashed.count());
        }
    }

    @Override
    public InputStream openBlob(String digest) {
        try {
            return s3.get().getObject(b -> b.bucket(bucket).key(blobKey(digest)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ArchiveException(
                        "blob " + digest + " is not in the archive " + describe());
            }
            throw e;
        }
    }

    @Override
    public List<BlobInfo> blobs() {
        List<BlobInfo> out = new ArrayList<>();
        String p = prefix + "blobs/sha256/";
        s3.get()
                .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(p))
                .contents()
                .forEach(
                        o -> {
                            String name = o.key().substring(p.length());
                            if (name.matches("[a-f0-9]{64}")) {
                                out.add(new BlobInfo("sha256:" + name, o.size(), o.lastModified()));
                            }
                        });
        return out;
    }

    private void deleteBlobs(Collection<String> digests) {
        deleteKeys(digests.stream().map(this::blobKey).toList());
    }

    private void deleteKeys(List<String> keys) {
        List<ObjectIdentifier> ids =
                keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        for (int i = 0; i < ids.size(); i += 1000) {
            List<ObjectIdentifier> batch = ids.subList(i, Math.min(ids.size(), i + 1000));
            var r =
                    s3.get()
                            .deleteObjects(
                                    b ->
                                            b.bucket(bucket)
                                                    .delete(
                                                            Delete.builder()
                                                                    .objects(batch)
                                                                    .quiet(true)
                                                                    .build()));
            if (r.hasErrors() && !r.errors().isEmpty()) {
                throw new ArchiveException(
                        "deleting "
                                + r.errors().size()
                                + " object(s) failed, first: "
                                + r.errors().get(0).key()
                                + ": "
                                + r.errors().get(0).message());
            }
        }
    }

    /**
     * A server-side copy within the bucket (the object's metadata, its verified sha256 included,
     * goes with it).
     */
    private void copy(String from, String to) {
        s3.get()
                .copyObject(
                        b ->
                                b.sourceBucket(bucket)
                                        .sourceKey(from)
                                        .destinationBucket(bucket)
                                        .destinationKey(to));
    }

    private String trashKey(String digest) {
        return prefix + "trash/sha256/" + hex(digest);
    }

    @Override
    public void trash(Collection<String> digests) {
        digests.forEach(d -> copy(blobKey(d), trashKey(d)));
        deleteBlobs(digests);
    }

    @Override
    public void untrash(Collection<String> digests) {
        digests.forEach(d -> copy(trashKey(d), blobKey(d)));
        purge(digests);
    }

    @Override
    public List<String> trashed() {
        List<String> out = new ArrayList<>();
        String p = prefix + "trash/sha256/";
        s3.get()
                .listObjectsV2Paginator(b -> b.bucket(bucket).prefix(p))
                .contents()
                .forEach(
                        o -> {
                            String name = o.key().substring(p.length());
                            if (name.matches("[a-f0-9]{64}")) {
                                out.add("sha256:" + name);
                            }
                        });
        return out;
    }

    @Override
    public void purge(Collection<String> digests) {
        deleteKeys(digests.stream().map(this::trashKey).toList());
    }

    @Override
    public void quarantine(String digest) {
        String to = prefix + "quarantine/sha256/" + hex(digest);
        copy(blobKey(digest), to);
        s3.get().deleteObject(b -> b.bucket(bucket).key(blobKey(digest)));
    }

    /**
     * S3 replaces an object atomically; some emulators (S3Mock) can serve a half-written one while
     * a put is in flight, so an index that does not parse is read again a few times before that is
     * an error.
     */
    @Override
    public Versioned readIndex() {
        for (int attempt = 1; ; attempt++) {
            try {
                return readIndexOnce();
            } catch (ArchiveException e) {
                if (attempt == 5) {
                    throw e;
                }
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Versioned readIndexOnce() {
        try (var in = s3.get().getObject(b -> b.bucket(bucket).key(prefix + "index.json"))) {
            byte[] bytes = in.readNBytes(ArchiveIndex.MAX_BYTES + 1);
            return new Versioned(ArchiveIndex.parse(bytes), in.response().eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return new Versioned(ArchiveIndex.empty(), null);
            }
            throw e;
        } catch (IOException e) {
            throw new ArchiveException("reading index.json failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean replaceIndex(ArchiveIndex index, String expectedVersion) {
        if (expectedVersion == null) {
            byte[] layout = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
            s3.get()
                    .putObject(
                            b ->
                                    b.bucket(bucket)
                                            .key(prefix + "oci-layout")
                                            .contentType("application/json"),
                            RequestBody.fromBytes(layout));
        }
        byte[] bytes = index.toJson();
        try {
            s3.get()
                    .putObject(
                            b -> {
                                b.bucket(bucket)
                                        .key(prefix + "index.json")
                                        .contentType("application/json");
                                if (expectedVersion == null) {
                                    b.ifNoneMatch("*");
                                } else {
                                    b.ifMatch(expectedVersion);
                                }
                            },
                            RequestBody.fromBytes(bytes));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false; // someone else replaced it first (409: a concurrent conditional write
                // in flight)
            }
            throw e;
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public boolean quarantined(String digest) {
        try {
            s3.get()
                    .headObject(
                            b -> b.bucket(bucket).key(prefix + "quarantine/sha256/" + hex(digest)));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The runs' files at the bucket's root ({@code upkeep/runs/}), where the state machines' reader
     * and writer find them.
     */
    @Override
    public dev.quartermaster.upkeep.RunFiles runFiles() {
        return new dev.quartermaster.upkeep.S3RunFiles(s3, bucket);
    }
}
