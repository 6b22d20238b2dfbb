package dev.quartermaster.archive;

import dev.quartermaster.registry.DeadlineInputStream;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.Manifest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Copies one image, by digest, from a source into an archive layout, exact bytes: the manifest (or
 * index, then each platform manifest), configs, layers and referrers. A blob the archive already
 * holds is not fetched again. The order keeps a concurrent prune safe: a manifest is stored before
 * any blob it names is looked up, and the image's entry is in the index before the first blob is
 * looked up, so every blob this run relies on is reachable from the index while it runs (see {@link
 * ArchiveUpkeep#prune}). At the end, every blob found already present is looked up again; only then
 * is the image complete.
 */
public final class ImageArchiver {
    /**
     * Bounds on what a registry (or a crafted image) can make one run do, and how many blobs it
     * copies at once ({@code parallelBlobs}: each holds one registry stream and one S3 upload; the
     * bytes in memory are bounded by the layout's part buffers, not by this).
     */
    public record Limits(int maxPlatforms, int maxLayers, long maxBlobBytes, int parallelBlobs) {
        public static final int DEFAULT_PARALLEL_BLOBS = 4;

        public Limits {
            if (parallelBlobs < 1 || parallelBlobs > 32) {
                throw new IllegalArgumentException(
                        "parallelBlobs must be 1..32, not " + parallelBlobs);
            }
        }

        public Limits(int maxPlatforms, int maxLayers, long maxBlobBytes) {
            this(maxPlatforms, maxLayers, maxBlobBytes, DEFAULT_PARALLEL_BLOBS);
        }

        public static Limits defaults() {
            return new Limits(64, 256, 20L * 1024 * 1024 * 1024);
        }
    }

    /** What the caller sees as the copy goes (a terminal's progress line). */
    public interface Progress {
        Progress NONE = (digest, size, skipped) -> {};

        void blob(String digest, long size, boolean skipped);
    }

    /** What one run did: every blob counted once. */
    public record Result(
            String repository,
            String digest,
            String mediaType,
            long size,
            int blobs,
            long bytesTotal,
            long bytesStored,
            long bytesDeduplicated,
            boolean complete,
            String platforms,
            int referrers) {}

    private final ImageSource source;
    private final ArchiveLayout layout;
    private final Limits limits;
    private final Clock clock;

    public ImageArchiver(ImageSource source, ArchiveLayout layout, Limits limits, Clock clock) {
        this.source = source;
        this.layout = layout;
        this.limits = limits;
        this.clock = clock;
    }

    public ArchiveLayout layout() {
        return layout;
    }

    /**
     * Archives {@code repository@digest} (named {@code tag} in the index when given).
     *
     * @param deadline past it, the run stops with an {@link ArchiveException}; what it stored stays
     *     and the next run skips it
     */
    public Result archive(
            String repository, String digest, String tag, Instant deadline, Progress progress) {
        try (ParallelJobs copies = new ParallelJobs(limits.parallelBlobs(), "archive")) {
            return archive(
                    repository,
                    digest,
                    tag,
                    deadline,
                    new Run(repository, deadline, progress, copies));
        }
    }

    private Result archive(
            String repository, String digest, String tag, Instant deadline, Run run) {
        Manifest top = source.manifest(repository, digest, null);
        run.storeManifest(top);
        Instant at = clock.instant();
        // in the index before any blob is looked up: a prune that marks from now on keeps what this
        // run relies on
        updateIndex(layout, i -> i.upsert(entry(repository, tag, top, at, false, 0, 0, "", null)));
        Set<String> platforms = new LinkedHashSet<>();
        if (top.isIndex()) {
            if (top.manifests().size() > limits.maxPlatforms()) {
                throw new ArchiveException(
                        repository
                                + "@"
                                + digest
                                + " lists "
                                + top.manifests().size()
                                + " manifests; at most "
                                + limits.maxPlatforms()
                                + " are archived");
            }
            for (Descriptor d : top.manifests()) {
                Manifest child = source.manifest(repository, d.digest(), d.mediaType());
                run.storeManifest(child);
                if (child.isIndex()) {
                    throw new ArchiveException(
                            repository
                                    + "@"
                                    + digest
                                    + " nests an index in an index; not archived");
                }
                run.copyImage(child);
                if (d.platform() != null) {
                    platforms.add(d.platform().toString());
                }
            }
        } else {
            run.copyImage(top);
        }
        List<Entry> referrerEntries = new ArrayList<>();
        for (Descriptor r : source.referrers(repository, top.digest())) {
            Manifest m = source.manifest(repository, r.digest(), r.mediaType());
            run.storeManifest(m);
            if (!m.isIndex()) {
                run.copyImage(m);
            }
            referrerEntries.add(new Entry(r, m));
        }
        run.copies.await();
        boolean complete = run.recheck();
        String platformList = String.join(",", platforms);
        ArchiveIndex.Entry done =
                entry(
                        repository,
                        tag,
                        top,
                        clock.instant(),
                        complete,
                        run.stored,
                        run.deduplicated,
                        platformList,
                        null);
        updateIndex(
                layout,
                i -> {
                    ArchiveIndex out = i.complete(done);
                    for (Entry r : referrerEntries) {
                        out =
                                out.upsert(
                                        entry(
                                                repository,
                                                null,
                                                r.manifest(),
                                                clock.instant(),
                                                complete,
                                                0,
                                                0,
                                                "",
                                                top.digest()));
                    }
                    return out;
                });
        return new Result(
                repository,
                top.digest(),
                top.mediaType(),
                top.size(),
                run.seen.size(),
                run.total,
                run.stored,
                run.deduplicated,
                complete,
                platformList,
                referrerEntries.size());
    }

    private record Entry(Descriptor descriptor, Manifest manifest) {}

    private static ArchiveIndex.Entry entry(
            String repository,
            String tag,
            Manifest m,
            Instant at,
            boolean complete,
            long stored,
            long dedup,
            String platforms,
            String subject) {
        return new ArchiveIndex.Entry(
                repository,
                tag,
                m.digest(),
                m.mediaType(),
                m.size(),
                at,
                complete,
                stored,
                dedup,
                platforms,
                subject);
    }

    /** Replaces the index by compare-and-swap, reading it again after each lost race. */
    public static ArchiveIndex updateIndex(
            ArchiveLayout layout, UnaryOperator<ArchiveIndex> change) {
        for (int attempt = 1; attempt <= 30; attempt++) {
            ArchiveLayout.Versioned v = layout.readIndex();
            ArchiveIndex next = change.apply(v.index());
            if (layout.replaceIndex(next, v.version())) {
                return next;
            }
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(20, 50L * Math.min(attempt, 10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArchiveException("interrupted while updating the archive's index", e);
            }
        }
        throw new ArchiveException(
                "the archive's index kept changing under 30 attempts to update it");
    }

    /**
     * One image's copy: each blob counted once however many manifests name it. Manifests are stored
     * in the caller's thread, in order; the blobs they name are copied by {@link ParallelJobs} (the
     * lookups and the counters shared with those threads are guarded by this run's lock).
     */
    private final class Run {
        private final String repository;
        private final Instant deadline;
        private final Progress progress;
        private final ParallelJobs copies;
        private final Map<String, Long> seen = new LinkedHashMap<>();
        private final Map<String, Long> skipped = new LinkedHashMap<>();
        private long total;
        private long stored;
        private long deduplicated;

        Run(String repository, Instant deadline, Progress progress, ParallelJobs copies) {
            this.repository = repository;
            this.deadline = deadline;
            this.progress = progress;
            this.copies = copies;
        }

        void storeManifest(Manifest m) {
            if (seen.containsKey(m.digest())) {
                return;
            }
            seen.put(m.digest(), m.size());
            total += m.size();
            if (layout.blob(m.digest()).filter(b -> b.size() == m.size()).isPresent()) {
                present(m.digest(), m.size());
                return;
            }
            layout.putBlob(m.digest(), m.size(), new ByteArrayInputStream(m.bytes()), deadline);
            copied(m.digest(), m.size());
        }

        private synchronized void present(String digest, long size) {
            deduplicated += size;
            skipped.put(digest, size);
            progress.blob(digest, size, true);
        }

        private synchronized void copied(String digest, long size) {
            stored += size;
            progress.blob(digest, size, false);
        }

        void copyImage(Manifest m) {
            if (m.layers().size() > limits.maxLayers()) {
                throw new ArchiveException(
                        repository
                                + "@"
                                + m.digest()
                                + " has "
                                + m.layers().size()
                                + " layers; at most "
                                + limits.maxLayers()
                                + " are archived");
            }
            for (Descriptor d : m.children()) {
                copyBlob(d);
            }
        }

        void copyBlob(Descriptor d) {
            if (seen.containsKey(d.digest())) {
                return;
            }
            if (d.size() < 0 || d.size() > limits.maxBlobBytes()) {
                throw new ArchiveException(
                        repository
                                + ": blob "
                                + d.digest()
                                + " claims "
                                + d.size()
                                + " bytes; the limit is "
                                + limits.maxBlobBytes());
            }
            outOfTime();
            seen.put(d.digest(), d.size());
            total += d.size();
            copies.submit(
                    () -> {
                        outOfTime();
                        if (layout.blob(d.digest()).filter(b -> b.size() == d.size()).isPresent()) {
                            present(d.digest(), d.size());
                            return;
                        }
                        layout.putBlob(
                                d.digest(),
                                d.size(),
                                timed(source.blob(repository, d.digest()), d.digest()),
                                deadline);
                        copied(d.digest(), d.size());
                    });
        }

        private void outOfTime() {
            if (clock.instant().isAfter(deadline)) {
                throw new ArchiveException(
                        repository
                                + ": out of time after "
                                + seen.size()
                                + " blobs; what is stored stays, the next run goes on");
            }
        }

        /**
         * A blob's bytes bounded by the run's deadline: each read checks it, so a registry that
         * trickles a byte now and then cannot hold the run past it (the upload is aborted, the
         * outcome recorded before Lambda's limit).
         */
        private InputStream timed(InputStream in, String digest) {
            return new DeadlineInputStream(
                    in,
                    () -> clock.instant().isAfter(deadline),
                    "out of time while reading "
                            + digest
                            + " (the run's deadline passed mid-blob)");
        }

        /**
         * Blobs found present may have been swept since: look again (on the run's copy threads,
         * whose copies have all ended), and copy any that went missing.
         */
        boolean recheck() {
            java.util.concurrent.atomic.AtomicBoolean complete =
                    new java.util.concurrent.atomic.AtomicBoolean(true);
            for (Map.Entry<String, Long> s : List.copyOf(skipped.entrySet())) {
                copies.submit(
                        () -> {
                            if (layout.blob(s.getKey()).isPresent()) {
                                return;
                            }
                            try {
                                layout.putBlob(
                                        s.getKey(),
                                        s.getValue(),
                                        timed(source.blob(repository, s.getKey()), s.getKey()),
                                        deadline);
                                recopied(s.getValue());
                            } catch (RuntimeException e) {
                                complete.set(false);
                            }
                        });
            }
            copies.await();
            return complete.get();
        }

        private synchronized void recopied(long size) {
            deduplicated -= size;
            stored += size;
        }
    }
}
