package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.*;
import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.local.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.demo.*;

import dev.quartermaster.archive.ArchiveIndex;
import dev.quartermaster.archive.ImageArchiver;
import dev.quartermaster.archive.ImageRestorer;
import dev.quartermaster.archive.ImageSource;
import dev.quartermaster.archive.S3ArchiveLayout;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.LocalS3;
import dev.quartermaster.testkit.OciImages;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bench archive: N tags of a WordPress-like image sharing their base layers (4 x 26 MB incompressible,
 * as binaries are) pushed to a local registry, archived into S3Mock, then restored to a fresh registry.
 * Compares the bytes stored with the N per-tag tars a `docker save` script uploads (layers
 * uncompressed, every tag carrying its base again), and reports archive, restore and raw S3 upload
 * throughput measured in the same run.
 */
public final class ArchiveBench {
    private static final int BASE_LAYERS = 4;
    private static final int BASE_LAYER_BYTES = 26 * 1024 * 1024;

    private ArchiveBench() {
    }

    static int run(int tags) throws Exception {
        if (tags < 5) {
            throw new IllegalArgumentException("bench archive needs at least 5 tags (--runs), not " + tags);
        }
        Path dir = Files.createTempDirectory("qm-bench-archive");
        try (LocalRegistry source = LocalRegistry.filesystem(dir.resolve("source"));
             LocalRegistry target = LocalRegistry.filesystem(dir.resolve("target"));
             LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("bench"));
             var client = s3.client()) {
            System.out.printf("building %d tags of a WordPress-like image: %d shared base layers of %d MB, a 2 MB wordpress layer each...%n",
                    tags, BASE_LAYERS, BASE_LAYER_BYTES / 1024 / 1024);
            OciImages.Pusher pusher = new OciImages.Pusher(source.url());
            List<String> digests = new ArrayList<>();
            long tarBytes = 0;
            long imageBytes = 0;
            OciImages.Image first = null;
            for (int i = 0; i < tags; i++) {
                OciImages.Image img = OciImages.wordpressLike("6." + i + ".1", BASE_LAYERS, BASE_LAYER_BYTES, 2 * 1024 * 1024);
                first = first == null ? img : first;
                digests.add(pusher.push("wordpress", "wp-6." + i + "-v1", img));
                tarBytes += dockerSaveBytes(img);
                imageBytes += img.compressedSize() + img.manifest().bytes().length;
            }
            System.out.printf("pushed %d tags, %.1f MB of image data in total; their docker-save tars would be %.1f MB%n",
                    tags, imageBytes / 1e6, tarBytes / 1e6);

            S3ArchiveLayout layout = new S3ArchiveLayout(() -> client, "bench", "archive/");
            ImageArchiver archiver = new ImageArchiver(ImageSource.fromRegistry(new RegistryClient(source.url(), RegistryAuth.anonymous())),
                    layout, ImageArchiver.Limits.defaults(), Clock.systemUTC());
            long t0 = System.nanoTime();
            long read = 0;
            for (int i = 0; i < tags; i++) {
                var r = archiver.archive("wordpress", digests.get(i), "wp-6." + i + "-v1", Instant.MAX, ImageArchiver.Progress.NONE);
                read += r.bytesStored();
                System.out.printf("archived wp-6.%d-v1: stored %.1f MB, already archived %.1f MB%n", i, r.bytesStored() / 1e6, r.bytesDeduplicated() / 1e6);
            }
            double archiveSecs = (System.nanoTime() - t0) / 1e9;
            long stored = layout.blobs().stream().mapToLong(b -> b.size()).sum();

            long u0 = System.nanoTime();
            long uploaded = 0;
            for (OciImages.Blob b : first.layers()) { // raw S3 upload of the same kind of bytes, one put each
                byte[] bytes = b.bytes();
                client.putObject(p -> p.bucket("bench").key("raw/" + b.digest()), RequestBody.fromBytes(bytes));
                uploaded += bytes.length;
            }
            double rawMbps = uploaded / 1e6 / ((System.nanoTime() - u0) / 1e9);

            ArchiveIndex index = layout.readIndex().index();
            ImageRestorer restorer = new ImageRestorer(layout, new RegistryWriter(target.url(), RegistryAuth.anonymous()),
                    new RegistryClient(target.url(), RegistryAuth.anonymous()));
            long r0 = System.nanoTime();
            long pushed = 0;
            int matching = 0;
            for (int i = 0; i < tags; i++) {
                var r = restorer.restore(ImageRestorer.resolve(index, "wordpress:wp-6." + i + "-v1"), "wordpress", "wp-6." + i + "-v1",
                        ImageArchiver.Progress.NONE);
                pushed += r.bytesPushed();
                if (r.targetDigest().equals(digests.get(i))) {
                    matching++;
                }
            }
            double restoreSecs = (System.nanoTime() - r0) / 1e9;
            System.out.printf("archive: %.1f MB stored in %.1f s = %.1f MB/s; restore: %.1f MB pushed in %.1f s = %.1f MB/s; "
                            + "raw S3 upload (same machine, same S3): %.1f MB/s%n", read / 1e6, archiveSecs, read / 1e6 / archiveSecs,
                    pushed / 1e6, restoreSecs, pushed / 1e6 / restoreSecs, rawMbps);
            System.out.printf("archive-bytes-ratio=%.3f archive-restore-digests=%d/%d%n", (double) stored / tarBytes, matching, tags);
            return matching == tags ? 0 : 1;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    /**
     * What `docker save IMAGE` writes: each layer as its uncompressed tar (plus a 512-byte tar header and
     * padding to 512), the config, manifest.json and a repositories file; every tag carries all of its layers.
     */
    static long dockerSaveBytes(OciImages.Image img) throws java.io.IOException {
        long total = 0;
        for (OciImages.Blob layer : img.layers()) {
            long size;
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(layer.bytes()))) {
                size = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            total += 512 + pad(size) + 512 + pad(3) + 512 + pad(300); // layer.tar, VERSION, json per layer
        }
        total += 512 + pad(img.config().bytes().length) + 512 + pad(300) + 512 + pad(100) + 1024; // config, manifest.json, repositories, end
        return total;
    }

    private static long pad(long n) {
        return (n + 511) / 512 * 512;
    }
}
