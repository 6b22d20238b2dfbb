package dev.quartermaster.archive;

import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testkit.OciImages.Blob;
import dev.quartermaster.testkit.OciImages.Image;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The prune's safety on the directory twin: the sweep deletes only what it proved unreferenced. */
class ArchiveUpkeepTest {
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final InMemoryLedgerStore ledger = new InMemoryLedgerStore();

    @Test
    void prune_whenAManifestCannotBeRead_deletesNoneOfItsLayers_andAlerts(@TempDir Path dir) {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image image = image("6.4.3", 1);
        store(layout, "wordpress", "wp-6.4-v1", image);
        layout.quarantine(
                image.manifest().digest()); // what the scrub does to a manifest that rotted

        var r =
                new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC())
                        .prune(Duration.ofDays(90), Duration.ZERO);

        assertThat(r.blobsDeleted()).isZero();
        assertThat(r.stopped()).contains("could not be read").contains(image.manifest().digest());
        assertThat(digests(layout))
                .contains(image.config().digest())
                .containsAll(image.layers().stream().map(Blob::digest).toList());
        assertThat(alerts.published())
                .extracting(a -> a.kind())
                .containsExactly("ARCHIVE_PRUNE_STOPPED");
    }

    @Test
    void prune_whenAnArchiverReliesOnACandidateMidSweep_putsItBack_andTheImageStaysComplete(
            @TempDir Path dir) {
        Image old = image("6.3.0", 2);
        Image next =
                OciImages.image(
                        List.of(old.layers().get(0), layer("next", 3)),
                        Map.of("t", "next"),
                        List.of(),
                        "amd64");
        // the archive holds the old image's blobs, no longer referenced (its entry was pruned
        // earlier)
        DirectoryLayout plain = new DirectoryLayout(dir.resolve("archive"));
        store(plain, "wordpress", "old", old);
        ImageArchiver.updateIndex(plain, i -> ArchiveIndex.empty());
        DirectoryLayout registry = new DirectoryLayout(dir.resolve("registry"));
        store(registry, "wordpress", "next", next);
        ImageArchiver.Result[] archived = new ImageArchiver.Result[1];
        // prune read the index and chose its batch; the archiver runs to the end (finds the shared
        // layer present,
        // rechecks it, records complete) before the prune acts on the batch
        ArchiveLayout racing =
                new Racing(
                        plain,
                        () ->
                                archived[0] =
                                        new ImageArchiver(
                                                        ImageSource.fromLayout(registry),
                                                        plain,
                                                        ImageArchiver.Limits.defaults(),
                                                        Clock.systemUTC())
                                                .archive(
                                                        "wordpress",
                                                        next.manifest().digest(),
                                                        "next",
                                                        Instant.now().plusSeconds(60),
                                                        ImageArchiver.Progress.NONE));

        var r =
                new ArchiveUpkeep(racing, ledger, alerts, Clock.systemUTC())
                        .prune(Duration.ofDays(90), Duration.ZERO);

        assertThat(archived[0].complete()).isTrue();
        assertThat(digests(plain))
                .contains(
                        old.layers().get(0).digest(),
                        next.manifest().digest(),
                        next.config().digest());
        assertThat(r.stopped()).contains("index changed");
        assertThat(plain.trashed()).isEmpty();
        assertThat(
                        new ArchiveUpkeep(plain, ledger, alerts, Clock.systemUTC())
                                .scrub(100, Instant.now().plusSeconds(60), new java.util.Random(1))
                                .incomplete())
                .isEmpty();
        // what nothing references went for good: the old image's own layer and config
        assertThat(digests(plain))
                .doesNotContain(old.layers().get(1).digest(), old.config().digest());
    }

    @Test
    void prune_settlesATrashLeftByACrashedRun_beforeSweeping(@TempDir Path dir) {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image kept = image("6.4.3", 1);
        Image gone = image("6.1.0", 1);
        store(layout, "wordpress", "kept", kept);
        store(layout, "wordpress", "gone", gone);
        ImageArchiver.updateIndex(layout, i -> i.without(e -> "gone".equals(e.tag())));
        layout.trash(
                List.of(
                        kept.layers().get(0).digest(),
                        gone.layers().get(0).digest())); // a run that died between trash and check

        var r =
                new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC())
                        .prune(Duration.ofDays(90), Duration.ZERO);

        assertThat(r.stopped()).isNotNull();
        assertThat(digests(layout))
                .contains(kept.layers().get(0).digest())
                .doesNotContain(gone.layers().get(0).digest());
        assertThat(layout.trashed()).isEmpty();
        var again =
                new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC())
                        .prune(Duration.ofDays(90), Duration.ZERO);
        assertThat(again.stopped()).isNull();
        assertThat(digests(layout))
                .containsAll(kept.layers().stream().map(Blob::digest).toList())
                .doesNotContain(gone.config().digest());
    }

    @Test
    void archive_ofABlobThatTricklesIn_stopsAtTheDeadlineMidBlob_andStoresNothingOfIt(
            @TempDir Path dir) {
        Image image =
                OciImages.image(
                        List.of(OciImages.layer(Map.of("big", OciImages.randomBytes(50_000, 3)))),
                        Map.of(),
                        List.of(),
                        "amd64");
        DirectoryLayout registry = new DirectoryLayout(dir.resolve("registry"));
        store(registry, "wordpress", "t", image);
        ImageSource plain = ImageSource.fromLayout(registry);
        ImageSource trickling =
                new ImageSource() { // a byte per read, as a registry holding the connection open
                    // would send
                    @Override
                    public dev.quartermaster.registry.Manifest manifest(
                            String repository, String digest, String mediaType) {
                        return plain.manifest(repository, digest, mediaType);
                    }

                    @Override
                    public java.io.InputStream blob(String repository, String digest) {
                        java.io.InputStream in = plain.blob(repository, digest);
                        return new java.io.FilterInputStream(in) {
                            @Override
                            public int read(byte[] b, int off, int len) throws java.io.IOException {
                                return super.read(b, off, Math.min(len, 1));
                            }
                        };
                    }

                    @Override
                    public List<dev.quartermaster.registry.Descriptor> referrers(
                            String repository, String digest) {
                        return List.of();
                    }
                };
        Instant start = Instant.parse("2026-11-30T00:00:00Z");
        Clock ticking = new Clock() { // one second passes at every look at the clock
                    private long calls;

                    @Override
                    public java.time.ZoneId getZone() {
                        return java.time.ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public synchronized Instant instant() {
                        return start.plusSeconds(calls++);
                    }
                };
        DirectoryLayout archive = new DirectoryLayout(dir.resolve("archive"));
        ImageArchiver archiver =
                new ImageArchiver(trickling, archive, ImageArchiver.Limits.defaults(), ticking);

        assertThatThrownBy(
                        () ->
                                archiver.archive(
                                        "wordpress",
                                        image.manifest().digest(),
                                        "t",
                                        start.plusSeconds(300),
                                        ImageArchiver.Progress.NONE))
                .hasMessageContaining("out of time");
        assertThat(archive.blob(image.layers().get(0).digest())).isEmpty();
    }

    private static Image image(String version, int layers) {
        List<Blob> blobs = new java.util.ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blobs.add(layer(version + "-" + i, i + version.hashCode()));
        }
        return OciImages.image(blobs, Map.of("v", version), List.of(), "amd64");
    }

    private static Blob layer(String name, long seed) {
        return OciImages.layer(Map.of("f/" + name, OciImages.randomBytes(2_000, seed)));
    }

    static void store(ArchiveLayout layout, String repo, String tag, Image image) {
        for (Blob b : image.layers()) {
            put(layout, b);
        }
        put(layout, image.config());
        put(layout, image.manifest());
        ImageArchiver.updateIndex(
                layout,
                i ->
                        i.upsert(
                                new ArchiveIndex.Entry(
                                        repo,
                                        tag,
                                        image.manifest().digest(),
                                        OciImages.MANIFEST,
                                        image.manifest().bytes().length,
                                        Instant.now(),
                                        true,
                                        0,
                                        0,
                                        "",
                                        null)));
    }

    private static void put(ArchiveLayout layout, Blob b) {
        layout.putBlob(b.digest(), b.bytes().length, new ByteArrayInputStream(b.bytes()));
    }

    private static List<String> digests(ArchiveLayout layout) {
        return layout.blobs().stream().map(ArchiveLayout.BlobInfo::digest).toList();
    }

    /** A layout that lets another writer run at the moment the prune first acts on a batch. */
    private static final class Racing implements ArchiveLayout {
        private final ArchiveLayout inner;
        private Runnable before;

        Racing(ArchiveLayout inner, Runnable before) {
            this.inner = inner;
            this.before = before;
        }

        @Override
        public void trash(Collection<String> digests) {
            if (before != null) {
                Runnable r = before;
                before = null;
                r.run();
            }
            inner.trash(digests);
        }

        @Override
        public java.util.Optional<BlobInfo> blob(String digest) {
            return inner.blob(digest);
        }

        @Override
        public void putBlob(String digest, long size, java.io.InputStream in) {
            inner.putBlob(digest, size, in);
        }

        @Override
        public java.io.InputStream openBlob(String digest) {
            return inner.openBlob(digest);
        }

        @Override
        public List<BlobInfo> blobs() {
            return inner.blobs();
        }

        @Override
        public void untrash(Collection<String> digests) {
            inner.untrash(digests);
        }

        @Override
        public List<String> trashed() {
            return inner.trashed();
        }

        @Override
        public void purge(Collection<String> digests) {
            inner.purge(digests);
        }

        @Override
        public void quarantine(String digest) {
            inner.quarantine(digest);
        }

        @Override
        public Versioned readIndex() {
            return inner.readIndex();
        }

        @Override
        public boolean replaceIndex(ArchiveIndex index, String expectedVersion) {
            return inner.replaceIndex(index, expectedVersion);
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }
}
