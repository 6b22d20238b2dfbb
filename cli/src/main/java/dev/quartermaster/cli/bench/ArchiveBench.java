package dev.quartermaster.cli.bench;

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
 * bench archive: N tags of a WordPress-like image sharing their base layers (4 x 26 MB
 * incompressible, as binaries are) pushed to a local registry, archived into S3Mock, then restored
 * to a fresh registry. Compares the bytes stored with the N per-tag tars a `docker save` script
 * uploads (layers uncompressed, every tag carrying its base again), and reports, measured in the
 * same run: archive MB/s against a raw S3 upload of the same bytes (one put per blob, from memory,
 * with the function's S3 client); restore MB/s against {@code skopeo copy} of the same tags between
 * the same two registries; and, in a JVM of its own limited to a 256 MiB heap, the heap's peak
 * while archiving an image with a 1 GiB layer.
 */
public final class ArchiveBench {
    private static final int BASE_LAYERS = 4;
    private static final int BASE_LAYER_BYTES = 26 * 1024 * 1024;

    private ArchiveBench() {}

    static int run(int tags) throws Exception {
        if (tags < 5) {
            throw new IllegalArgumentException(
                    "bench archive needs at least 5 tags (--runs), not " + tags);
        }
        Path dir = Files.createTempDirectory("qm-bench-archive");
        try (LocalRegistry source = LocalRegistry.filesystem(dir.resolve("source"));
                LocalRegistry target = LocalRegistry.filesystem(dir.resolve("target"));
                LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("bench"));
                var client = s3.client()) {
            System.out.printf(
                    "building %d tags of a WordPress-like image: %d shared base layers of %d MB, a 2 MB wordpress layer each...%n",
                    tags, BASE_LAYERS, BASE_LAYER_BYTES / 1024 / 1024);
            OciImages.Pusher pusher = new OciImages.Pusher(source.url());
            List<String> digests = new ArrayList<>();
            long tarBytes = 0;
            long imageBytes = 0;
            List<OciImages.Image> images = new ArrayList<>();
            for (int i = 0; i < tags; i++) {
                OciImages.Image img =
                        OciImages.wordpressLike(
                                "6." + i + ".1", BASE_LAYERS, BASE_LAYER_BYTES, 2 * 1024 * 1024);
                images.add(img);
                digests.add(pusher.push("wordpress", "wp-6." + i + "-v1", img));
                tarBytes += dockerSaveBytes(img);
                imageBytes += img.compressedSize() + img.manifest().bytes().length;
            }
            System.out.printf(
                    "pushed %d tags, %.1f MB of image data in total; their docker-save tars would be %.1f MB%n",
                    tags, imageBytes / 1e6, tarBytes / 1e6);

            // the function's S3 client (its HTTP client and timeouts), for the archive and the raw
            // upload alike
            var functionS3 =
                    dev.quartermaster.common.S3Clients.create(
                            new dev.quartermaster.common.AwsClients(
                                    dev.quartermaster.common.Settings.of(
                                            Map.of(
                                                    "AWS_ENDPOINT_URL",
                                                    s3.endpoint(),
                                                    "AWS_REGION",
                                                    "us-east-1",
                                                    "AWS_ACCESS_KEY_ID",
                                                    "bench",
                                                    "AWS_SECRET_ACCESS_KEY",
                                                    "bench"))));
            S3ArchiveLayout layout = new S3ArchiveLayout(() -> functionS3, "bench", "archive/");
            ImageArchiver archiver =
                    new ImageArchiver(
                            ImageSource.fromRegistry(
                                    new RegistryClient(source.url(), RegistryAuth.anonymous())),
                            layout,
                            ImageArchiver.Limits.defaults(),
                            Clock.systemUTC());
            long t0 = System.nanoTime();
            long read = 0;
            for (int i = 0; i < tags; i++) {
                long a0 = System.nanoTime();
                var r =
                        archiver.archive(
                                "wordpress",
                                digests.get(i),
                                "wp-6." + i + "-v1",
                                Instant.MAX,
                                ImageArchiver.Progress.NONE);
                read += r.bytesStored();
                System.out.printf(
                        "archived wp-6.%d-v1 in %.2f s: stored %.1f MB, already archived %.1f MB%n",
                        i,
                        (System.nanoTime() - a0) / 1e9,
                        r.bytesStored() / 1e6,
                        r.bytesDeduplicated() / 1e6);
            }
            double archiveSecs = (System.nanoTime() - t0) / 1e9;
            long stored = layout.blobs().stream().mapToLong(b -> b.size()).sum();

            long u0 = System.nanoTime();
            long uploaded = 0;
            for (OciImages.Blob b :
                    distinctBlobs(images)) { // raw S3 upload of the same bytes, one put each, no
                // registry, no hashing
                byte[] bytes = b.bytes();
                functionS3.putObject(
                        p -> p.bucket("bench").key("raw/" + b.digest()),
                        RequestBody.fromBytes(bytes));
                uploaded += bytes.length;
            }
            double rawMbps = uploaded / 1e6 / ((System.nanoTime() - u0) / 1e9);

            // skopeo copy of the same tags between the same two registries (its own repository
            // there, a fresh blob cache)
            long k0 = System.nanoTime();
            for (int i = 0; i < tags; i++) {
                skopeoCopy(
                        source.url(),
                        target.url(),
                        "wordpress:wp-6." + i + "-v1",
                        "skopeo-wordpress:wp-6." + i + "-v1",
                        dir.resolve("skopeo-home"));
            }
            double skopeoSecs = (System.nanoTime() - k0) / 1e9;

            ArchiveIndex index = layout.readIndex().index();
            ImageRestorer restorer =
                    new ImageRestorer(
                            layout,
                            new RegistryWriter(target.url(), RegistryAuth.anonymous()),
                            new RegistryClient(target.url(), RegistryAuth.anonymous()));
            long r0 = System.nanoTime();
            long pushed = 0;
            int matching = 0;
            for (int i = 0; i < tags; i++) {
                var r =
                        restorer.restore(
                                ImageRestorer.resolve(index, "wordpress:wp-6." + i + "-v1"),
                                "wordpress",
                                "wp-6." + i + "-v1",
                                ImageArchiver.Progress.NONE);
                pushed += r.bytesPushed();
                if (r.targetDigest().equals(digests.get(i))) {
                    matching++;
                }
            }
            double restoreSecs = (System.nanoTime() - r0) / 1e9;
            System.out.printf(
                    "archive: %.1f MB stored in %.1f s = %.1f MB/s; restore: %.1f MB pushed in %.1f s = %.1f MB/s; "
                            + "raw S3 upload (same machine, same S3): %.1f MB/s%n",
                    read / 1e6,
                    archiveSecs,
                    read / 1e6 / archiveSecs,
                    pushed / 1e6,
                    restoreSecs,
                    pushed / 1e6 / restoreSecs,
                    rawMbps);
            double archiveMbps = read / 1e6 / archiveSecs;
            double skopeoMbps = pushed / 1e6 / skopeoSecs;
            System.out.printf(
                    "skopeo copy of the same %d tags between the same registries: %.1f s = %.1f MB/s%n",
                    tags, skopeoSecs, skopeoMbps);
            Peak peak = peak(source, s3, client, dir);
            System.out.printf(
                    "1 GiB layer archived in %.1f s (%.0f MB/s) by a JVM limited to %.0f MiB of heap: peak heap %.0f MiB sampled, "
                            + "%.0f MiB by the JVM's pool peaks (summed); the part buffers' bound is %d MiB%n",
                    peak.seconds(),
                    peak.stored() / 1e6 / peak.seconds(),
                    peak.maxHeapMb(),
                    peak.sampledMb(),
                    peak.poolsMb(),
                    S3ArchiveLayout.DEFAULT_BUFFERS * (S3ArchiveLayout.DEFAULT_PART_BYTES >> 20));
            System.out.printf(
                    "archive-bytes-ratio=%.3f archive-restore-digests=%d/%d%n",
                    (double) stored / tarBytes, matching, tags);
            System.out.printf(
                    "archive-throughput-ratio=%.2f restore-throughput-ratio=%.2f archive-peak-mb=%.0f%n",
                    archiveMbps / rawMbps,
                    (pushed / 1e6 / restoreSecs) / skopeoMbps,
                    Math.max(peak.sampledMb(), peak.poolsMb()));
            return matching == tags && peak.complete() ? 0 : 1;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    private static List<OciImages.Blob> distinctBlobs(List<OciImages.Image> images) {
        Map<String, OciImages.Blob> out = new java.util.LinkedHashMap<>();
        for (OciImages.Image img : images) {
            out.putIfAbsent(img.manifest().digest(), img.manifest());
            out.putIfAbsent(img.config().digest(), img.config());
            img.layers().forEach(l -> out.putIfAbsent(l.digest(), l));
        }
        return List.copyOf(out.values());
    }

    private static void skopeoCopy(String from, String to, String source, String target, Path home)
            throws Exception {
        Files.createDirectories(home);
        ProcessBuilder pb =
                new ProcessBuilder(
                                "skopeo",
                                "copy",
                                "--quiet",
                                "--src-tls-verify=false",
                                "--dest-tls-verify=false",
                                "docker://"
                                        + java.net.URI.create(from).getAuthority()
                                        + "/"
                                        + source,
                                "docker://" + java.net.URI.create(to).getAuthority() + "/" + target)
                        .redirectErrorStream(true);
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment()
                .put("HOME", home.toString()); // its blob-info cache starts empty: nothing known,
        // nothing mounted
        pb.environment().put("XDG_DATA_HOME", home.resolve("data").toString());
        Process p = pb.start();
        String out =
                new String(
                        p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("skopeo copy " + source + " failed: " + out);
        }
    }

    /** What the peak probe reported. */
    record Peak(
            long stored,
            double seconds,
            double sampledMb,
            double poolsMb,
            double maxHeapMb,
            boolean complete) {}

    /**
     * Pushes an image with one 1 GiB layer (from a file: this JVM never holds it), then archives it
     * in a JVM limited to 256 MiB of heap.
     */
    private static Peak peak(
            LocalRegistry registry,
            LocalS3 s3,
            software.amazon.awssdk.services.s3.S3Client client,
            Path dir)
            throws Exception {
        Path file = dir.resolve("layer-1g.bin");
        long size = 1L << 30;
        var sha = java.security.MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(file)) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < size; written += chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        chunk[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                sha.update(chunk);
                out.write(chunk);
            }
        }
        String layer = "sha256:" + java.util.HexFormat.of().formatHex(sha.digest());
        var writer = new RegistryWriter(registry.url(), RegistryAuth.anonymous());
        writer.pushBlob(
                "big",
                layer,
                size,
                () -> {
                    try {
                        return Files.newInputStream(file);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        Files.delete(file);
        byte[] config =
                ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                                + layer
                                + "\"]}}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String configDigest = OciImages.sha256(config);
        writer.pushBlob(
                "big", configDigest, config.length, () -> new java.io.ByteArrayInputStream(config));
        byte[] manifest =
                ("{\"schemaVersion\":2,\"mediaType\":\""
                                + OciImages.MANIFEST
                                + "\",\"config\":{\"mediaType\":\""
                                + OciImages.CONFIG
                                + "\",\"digest\":\""
                                + configDigest
                                + "\",\"size\":"
                                + config.length
                                + "},\"layers\":[{\"mediaType\":"
                                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
                                + layer
                                + "\",\"size\":"
                                + size
                                + "}]}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String digest = writer.putManifest("big", "1g", OciImages.MANIFEST, manifest);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                                javaBin,
                                "-Xmx256m",
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ArchivePeakProbe.class.getName(),
                                registry.url(),
                                s3.endpoint(),
                                "bench",
                                "big",
                                digest)
                        .redirectErrorStream(true);
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        String out =
                new String(
                        p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(
                    "archiving the 1 GiB layer within a 256 MiB heap failed:\n" + out);
        }
        String line =
                out.lines()
                        .filter(l -> l.startsWith("QM_PEAK "))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "the peak probe printed no figures:\n" + out));
        Map<String, String> f = new java.util.HashMap<>();
        for (String kv : line.substring(8).split(" ")) {
            f.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        client.deleteObject(d -> d.bucket("bench").key("peak/blobs/sha256/" + layer.substring(7)));
        return new Peak(
                Long.parseLong(f.get("stored")),
                Double.parseDouble(f.get("seconds")),
                Double.parseDouble(f.get("sampled-mb")),
                Double.parseDouble(f.get("pools-mb")),
                Double.parseDouble(f.get("max-heap-mb")),
                Boolean.parseBoolean(f.get("complete")));
    }

    /**
     * What `docker save IMAGE` writes: each layer as its uncompressed tar (plus a 512-byte tar
     * header and padding to 512), the config, manifest.json and a repositories file; every tag
     * carries all of its layers.
     */
    static long dockerSaveBytes(OciImages.Image img) throws java.io.IOException {
        long total = 0;
        for (OciImages.Blob layer : img.layers()) {
            long size;
            try (var in =
                    new java.util.zip.GZIPInputStream(
                            new java.io.ByteArrayInputStream(layer.bytes()))) {
                size = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            total +=
                    512 + pad(size) + 512 + pad(3) + 512
                            + pad(300); // layer.tar, VERSION, json per layer
        }
        total +=
                512
                        + pad(img.config().bytes().length)
                        + 512
                        + pad(300)
                        + 512
                        + pad(100)
                        + 1024; // config, manifest.json, repositories, end
        return total;
    }

    private static long pad(long n) {
        return (n + 511) / 512 * 512;
    }
}
