package dev.quartermaster.archive;

import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testkit.OciImages.Blob;
import dev.quartermaster.testkit.OciImages.Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archiver on its natural twin, a directory in the OCI image layout: what reaches the archive
 * is byte-exact, each blob once, and nothing is indexed that is not whole. (ImageArchiveIT runs the
 * same archiver against the registry and S3Mock.)
 */
class ImageArchiverTest {
    private static final Instant LATER = Instant.now().plusSeconds(300);

    /**
     * A registry's worth of images, served from another directory layout: the source the archiver
     * reads.
     */
    private static ImageSource source(Path dir, Image... images) {
        DirectoryLayout registry = new DirectoryLayout(dir);
        for (Image i : images) {
            for (Blob b : i.layers()) {
                put(registry, b);
            }
            put(registry, i.config());
            put(registry, i.manifest());
        }
        return ImageSource.fromLayout(registry);
    }

    private static void put(ArchiveLayout layout, Blob b) {
        if (layout.blob(b.digest()).isEmpty()) {
            layout.putBlob(b.digest(), b.bytes().length, new ByteArrayInputStream(b.bytes()));
        }
    }

    private static Image image(String version, Blob... shared) {
        List<Blob> layers = new ArrayList<>(List.of(shared));
        layers.add(
                OciImages.layer(
                        Map.of("v/" + version, OciImages.randomBytes(3_000, version.hashCode()))));
        return OciImages.image(layers, Map.of("v", version), List.of(), "amd64");
    }

    @Test
    void anImage_isArchivedByteExact_andIndexedComplete(@TempDir Path src, @TempDir Path dst)
            throws Exception {
        Image v1 = image("6.4.3");
        DirectoryLayout archive = new DirectoryLayout(dst);

        ImageArchiver.Result r =
                new ImageArchiver(
                                source(src, v1),
                                archive,
                                ImageArchiver.Limits.defaults(),
                                Clock.systemUTC())
                        .archive(
                                "wordpress",
                                v1.manifest().digest(),
                                "wp-6.4-v1",
                                LATER,
                                ImageArchiver.Progress.NONE);

        assertThat(r.complete()).isTrue();
        assertThat(r.blobs()).isEqualTo(v1.layers().size() + 2);
        for (Blob b : concat(v1)) {
            try (var in = archive.openBlob(b.digest())) {
                assertThat(in.readAllBytes()).as(b.digest()).isEqualTo(b.bytes());
            }
        }
        ArchiveIndex.Entry e =
                ImageRestorer.resolve(archive.readIndex().index(), "wordpress:wp-6.4-v1");
        assertThat(e.digest()).isEqualTo(v1.manifest().digest());
        assertThat(e.complete()).isTrue();
    }

    @Test
    void aSecondTagSharingLayers_storesOnlyWhatIsNew(@TempDir Path src, @TempDir Path dst) {
        Blob base = OciImages.layer(Map.of("base/os", OciImages.randomBytes(50_000, 7)));
        Image v1 = image("6.4.3", base);
        Image v2 = image("6.4.4", base);
        DirectoryLayout archive = new DirectoryLayout(dst);
        ImageArchiver archiver =
                new ImageArchiver(
                        source(src, v1, v2),
                        archive,
                        ImageArchiver.Limits.defaults(),
                        Clock.systemUTC());

        archiver.archive(
                "wordpress",
                v1.manifest().digest(),
                "wp-6.4-v1",
                LATER,
                ImageArchiver.Progress.NONE);
        ImageArchiver.Result second =
                archiver.archive(
                        "wordpress",
                        v2.manifest().digest(),
                        "wp-6.4-v2",
                        LATER,
                        ImageArchiver.Progress.NONE);
        ImageArchiver.Result again =
                archiver.archive(
                        "wordpress",
                        v2.manifest().digest(),
                        "wp-6.4-v2",
                        LATER,
                        ImageArchiver.Progress.NONE);

        assertThat(second.bytesDeduplicated())
                .as("the shared base layer is not stored twice")
                .isGreaterThanOrEqualTo(base.bytes().length);
        assertThat(second.bytesStored()).isLessThan(second.bytesTotal() - base.bytes().length + 1);
        assertThat(again.bytesStored()).as("a redelivered push stores nothing").isZero();
        assertThat(archive.blobs())
                .extracting(ArchiveLayout.BlobInfo::digest)
                .doesNotHaveDuplicates()
                .hasSize(1 + 2 * 3); // base, then each image's own layer, config and manifest
        assertThat(archive.readIndex().index().entries()).hasSize(2);
    }

    @Test
    void aBlobThatDoesNotMatchItsDigest_isNotKept_andTheImageIsNotIndexed(
            @TempDir Path src, @TempDir Path dst) {
        Image v1 = image("6.4.3");
        ImageSource honest = source(src, v1);
        String layer = v1.layers().get(0).digest();
        ImageSource lying =
                new ImageSource() {
                    @Override
                    public dev.quartermaster.registry.Manifest manifest(
                            String repository, String digest, String mediaType) {
                        return honest.manifest(repository, digest, mediaType);
                    }

                    @Override
                    public java.io.InputStream blob(String repository, String digest) {
                        return digest.equals(layer)
                                ? new ByteArrayInputStream(
                                        OciImages.randomBytes(
                                                v1.layers().get(0).bytes().length, 99))
                                : honest.blob(repository, digest);
                    }

                    @Override
                    public List<dev.quartermaster.registry.Descriptor> referrers(
                            String repository, String digest) {
                        return List.of();
                    }
                };
        DirectoryLayout archive = new DirectoryLayout(dst);

        assertThatThrownBy(
                        () ->
                                new ImageArchiver(
                                                lying,
                                                archive,
                                                ImageArchiver.Limits.defaults(),
                                                Clock.systemUTC())
                                        .archive(
                                                "wordpress",
                                                v1.manifest().digest(),
                                                "wp-6.4-v1",
                                                LATER,
                                                ImageArchiver.Progress.NONE))
                .hasMessageContaining(layer.substring(0, 15));
        assertThat(archive.blob(layer)).isEmpty();
        assertThat(archive.readIndex().index().entries())
                .noneMatch(e -> e.digest().equals(v1.manifest().digest()) && e.complete());
    }

    @Test
    void anImageOverItsLimits_isRefused_beforeItsLayersAreCopied(
            @TempDir Path src, @TempDir Path dst) {
        Image big =
                image(
                        "6.4.3",
                        OciImages.layer(Map.of("a", OciImages.randomBytes(100, 1))),
                        OciImages.layer(Map.of("b", OciImages.randomBytes(100, 2))));
        DirectoryLayout archive = new DirectoryLayout(dst);

        assertThatThrownBy(
                        () ->
                                new ImageArchiver(
                                                source(src, big),
                                                archive,
                                                new ImageArchiver.Limits(4, 2, 1 << 30),
                                                Clock.systemUTC())
                                        .archive(
                                                "wordpress",
                                                big.manifest().digest(),
                                                "t",
                                                LATER,
                                                ImageArchiver.Progress.NONE))
                .hasMessageContaining("layers");
        assertThat(archive.blobs())
                .extracting(ArchiveLayout.BlobInfo::digest)
                .doesNotContainAnyElementsOf(big.layers().stream().map(Blob::digest).toList());
    }

    @Test
    void blobs_areCopiedSeveralAtOnce_neverMoreThanTheLimit_andAFailureStopsTheRun(
            @TempDir Path src, @TempDir Path dst) {
        List<Blob> layers = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            layers.add(OciImages.layer(Map.of("l/" + i, OciImages.randomBytes(2_000, i))));
        }
        Image img = OciImages.image(layers, Map.of(), List.of(), "amd64");
        ImageSource plain = source(src, img);
        java.util.concurrent.atomic.AtomicInteger open =
                new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most =
                new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch twoAtOnce = new java.util.concurrent.CountDownLatch(2);
        ImageSource slow =
                withBlobs(
                        plain,
                        (repository, digest) -> {
                            most.accumulateAndGet(open.incrementAndGet(), Math::max);
                            twoAtOnce.countDown();
                            try {
                                twoAtOnce.await(
                                        5,
                                        java.util.concurrent.TimeUnit
                                                .SECONDS); // the first blob waits for a second one
                                // to open
                                Thread.sleep(20);
                                return new ByteArrayInputStream(
                                        plain.blob(repository, digest).readAllBytes());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            } finally {
                                open.decrementAndGet();
                            }
                        });
        DirectoryLayout archive = new DirectoryLayout(dst);

        ImageArchiver.Result r =
                new ImageArchiver(
                                slow,
                                archive,
                                new ImageArchiver.Limits(4, 16, 1 << 30, 3),
                                Clock.systemUTC())
                        .archive(
                                "wordpress",
                                img.manifest().digest(),
                                "t",
                                LATER,
                                ImageArchiver.Progress.NONE);

        assertThat(r.complete()).isTrue();
        assertThat(r.blobs()).isEqualTo(11);
        assertThat(most.get()).isBetween(2, 3);
        for (Blob b : concat(img)) {
            assertThat(archive.blob(b.digest())).as(b.digest()).isPresent();
        }

        // one blob that cannot be read: the run fails with its error, and the image is not recorded
        // complete
        DirectoryLayout second = new DirectoryLayout(dst.resolve("second"));
        ImageSource failing =
                withBlobs(
                        plain,
                        (repository, digest) -> {
                            if (digest.equals(layers.get(4).digest())) {
                                throw new dev.quartermaster.registry.RegistryException(
                                        "registry answered HTTP 500 for " + digest);
                            }
                            return plain.blob(repository, digest);
                        });
        assertThatThrownBy(
                        () ->
                                new ImageArchiver(
                                                failing,
                                                second,
                                                new ImageArchiver.Limits(4, 16, 1 << 30, 3),
                                                Clock.systemUTC())
                                        .archive(
                                                "wordpress",
                                                img.manifest().digest(),
                                                "t",
                                                LATER,
                                                ImageArchiver.Progress.NONE))
                .hasMessageContaining("HTTP 500")
                .hasMessageContaining(layers.get(4).digest());
        assertThat(second.readIndex().index().find("wordpress:t"))
                .hasValueSatisfying(e -> assertThat(e.complete()).isFalse());
        assertThat(second.blob(layers.get(4).digest())).isEmpty();
    }

    /** {@code plain}'s manifests, no referrers, and blobs as {@code blob} gives them. */
    private static ImageSource withBlobs(
            ImageSource plain,
            java.util.function.BiFunction<String, String, java.io.InputStream> blob) {
        return new ImageSource() {
            @Override
            public dev.quartermaster.registry.Manifest manifest(
                    String repository, String digest, String mediaType) {
                return plain.manifest(repository, digest, mediaType);
            }

            @Override
            public java.io.InputStream blob(String repository, String digest) {
                return blob.apply(repository, digest);
            }

            @Override
            public List<dev.quartermaster.registry.Descriptor> referrers(
                    String repository, String digest) {
                return List.of();
            }
        };
    }

    private static List<Blob> concat(Image i) {
        List<Blob> all = new ArrayList<>(i.layers());
        all.add(i.config());
        all.add(i.manifest());
        return all;
    }
}
