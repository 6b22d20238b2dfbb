package dev.quartermaster.cli.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.archive.ArchiveIndex;
import dev.quartermaster.archive.ArchiveLayout;
import dev.quartermaster.archive.ArchiveScrubHandler;
import dev.quartermaster.archive.ArchiveUpkeep;
import dev.quartermaster.archive.DirectoryLayout;
import dev.quartermaster.archive.S3ArchiveLayout;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalS3;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.upkeep.UpkeepEngine;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * bench upkeep: a synthetic archive of 10,000 images (small blobs: a 1 KiB layer of its own and one
 * of 100 shared 64 KiB base layers each, its config and manifest) plus eight 32 MiB blobs, in the
 * archive's directory twin (S3Mock stores some 30 objects a second here: 30,000 would take a
 * quarter of an hour before the bench starts); then the scrub's state machine through the local
 * engine: the plan, every Rehash and Check batch as the Distributed Map would hand them out, each
 * given to archive-scrub's real handler (its ledger in DynamoDB Local), the fold. Reports items
 * (blobs re-hashed and images checked) per second of batch time, the median batch, and the hours to
 * scrub 1 TB at the map's MaxConcurrency from the measured costs (the model: docs/upkeep.md).
 */
final class UpkeepBench {
    static final int IMAGES = Integer.getInteger("qm.bench.images", 10_000);
    static final int BASE_LAYERS = 100;
    static final int BASE_BYTES = 64 * 1024;
    static final int OWN_BYTES = 1024;
    static final int LARGE_BLOBS = 8;
    static final int LARGE_BYTES = 32 * 1024 * 1024;

    /**
     * The model's image: 5 layers, a config and a manifest, 16 MiB per blob on average (a
     * WordPress-like image of ~110 MB).
     */
    static final double BLOB_BYTES_IN_A_TB = 16.0 * 1024 * 1024;

    static final double BLOBS_PER_IMAGE = 7;

    private UpkeepBench() {}

    /** One batch as the engine reported it. */
    record Batch(String map, double seconds, long items, long bytes) {}

    static int run() throws Exception {
        int concurrency;
        try (LocalEnvironment local = LocalEnvironment.persistent()) {
            concurrency = local.configuration().upkeep().maxConcurrency();
        }
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(
                org.apache.logging.log4j.Level.WARN);
        Path dir = Files.createTempDirectory("qm-bench-upkeep");
        try (LocalDynamoDb dynamo = LocalDynamoDb.inMemory();
                var dynamoClient = dynamo.client()) {
            LocalDynamoDb.createLedgerTable(dynamoClient, "bench");
            Map<String, String> env =
                    new HashMap<>(
                            Map.of(
                                    "TABLE_NAME",
                                    "bench",
                                    "AWS_ENDPOINT_URL_DYNAMODB",
                                    dynamo.endpoint(),
                                    "AWS_REGION",
                                    "us-east-1",
                                    "AWS_ACCESS_KEY_ID",
                                    "bench",
                                    "AWS_SECRET_ACCESS_KEY",
                                    "bench"));
            Platform platform = new Platform(Settings.of(env));
            ArchiveLayout layout = new DirectoryLayout(dir.resolve("archive"));
            long p0 = System.nanoTime();
            long[] stored = populate(layout);
            System.out.printf(
                    "synthetic archive: %d images, %d blobs, %.1f MB (and %d blobs of %d MiB), stored in %.1f s%n",
                    IMAGES,
                    stored[0],
                    stored[1] / 1e6,
                    LARGE_BLOBS,
                    LARGE_BYTES >> 20,
                    (System.nanoTime() - p0) / 1e9);

            RequestStreamHandler handler =
                    new ArchiveScrubHandler(
                            new ArchiveUpkeep(
                                    layout,
                                    LedgerRoot.store(platform),
                                    platform.alerts(),
                                    java.time.Clock.systemUTC()),
                            100);
            List<Batch> batches = new ArrayList<>();
            PrintStream sink = new PrintStream(java.io.OutputStream.nullOutputStream());
            UpkeepEngine engine =
                    new UpkeepEngine(
                            UpkeepMachine.definition(Upkeep.ARCHIVE_SCRUB, concurrency, 0),
                            "bench-archive-scrub",
                            payload -> {
                                try {
                                    return LocalInvoke.call(
                                            handler,
                                            "archive-scrub",
                                            payload.toString()
                                                    .getBytes(
                                                            java.nio.charset.StandardCharsets
                                                                    .UTF_8),
                                            sink);
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            layout.runFiles(),
                            new UpkeepEngine.Listener() {
                                @Override
                                public void batch(
                                        String map,
                                        int index,
                                        int total,
                                        Duration took,
                                        JsonNode output) {
                                    JsonNode d =
                                            output == null
                                                    ? EventParser.JSON.createObjectNode()
                                                    : output.path("details");
                                    long items =
                                            map.equals("Rehash")
                                                    ? d.path("checked").asLong()
                                                    : d.path("images").asLong();
                                    batches.add(
                                            new Batch(
                                                    map,
                                                    took.toNanos() / 1e9,
                                                    items,
                                                    d.path("bytes").asLong()));
                                    if (index == total || index % 10 == 0) {
                                        System.out.printf(
                                                "  %s batch %d/%d: %.2f s, %d item(s)%n",
                                                map, index, total, took.toNanos() / 1e9, items);
                                    }
                                }
                            });
            long r0 = System.nanoTime();
            JsonNode out =
                    engine.run(
                            EventParser.readTree(LocalInvoke.scheduledEvent(Instant.now())),
                            "bench",
                            Instant.now());
            double runSeconds = (System.nanoTime() - r0) / 1e9;
            if (!"RECORDED".equals(out.path("status").asText())
                    || !out.path("details").path("corrupt").isEmpty()
                    || !out.path("details").path("incomplete").isEmpty()) {
                throw new IllegalStateException(
                        "the scrub did not find the synthetic archive whole: " + out);
            }
            System.out.println(
                    out.path("message").asText()
                            + String.format(
                                    " (the whole run, plan and fold included: %.1f s)",
                                    runSeconds));
            double[] s3 = s3Costs(dir.resolve("s3"));
            report(batches, concurrency, s3[0], s3[1]);
            return 0;
        } finally {
            VerifyBench.deleteTree(dir);
        }
    }

    /**
     * The costs through the S3 adapter (S3Mock): a Rehash batch of 200 blobs of 1 KiB (per blob: a
     * GET and its first bytes), then one of eight 32 MiB blobs (per byte: streaming and
     * hashing). @return seconds per blob, per byte
     */
    static double[] s3Costs(Path dir) throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir, List.of("bench"))) {
            var client =
                    dev.quartermaster.common.S3Clients.create(
                            new dev.quartermaster.common.AwsClients(
                                    Settings.of(
                                            Map.of(
                                                    "AWS_ENDPOINT_URL",
                                                    s3.endpoint(),
                                                    "AWS_REGION",
                                                    "us-east-1",
                                                    "AWS_ACCESS_KEY_ID",
                                                    "bench",
                                                    "AWS_SECRET_ACCESS_KEY",
                                                    "bench"))));
            S3ArchiveLayout layout = new S3ArchiveLayout(() -> client, "bench", "");
            ArchiveUpkeep upkeep =
                    new ArchiveUpkeep(layout, null, null, java.time.Clock.systemUTC());
            List<ArchiveUpkeep.BlobRef> small = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] b = OciImages.randomBytes(OWN_BYTES, 500_000 + i);
                layout.putBlob(OciImages.sha256(b), b.length, new ByteArrayInputStream(b));
                small.add(new ArchiveUpkeep.BlobRef(OciImages.sha256(b), b.length));
            }
            List<ArchiveUpkeep.BlobRef> large = new ArrayList<>();
            for (int i = 0; i < LARGE_BLOBS; i++) {
                byte[] b = OciImages.randomBytes(LARGE_BYTES, 600_000 + i);
                layout.putBlob(OciImages.sha256(b), b.length, new ByteArrayInputStream(b));
                large.add(new ArchiveUpkeep.BlobRef(OciImages.sha256(b), b.length));
            }
            upkeep.rehash(small.subList(0, 20), Instant.MAX); // the client's first connections
            long t0 = System.nanoTime();
            upkeep.rehash(small, Instant.MAX);
            double perBlob = (System.nanoTime() - t0) / 1e9 / small.size();
            long t1 = System.nanoTime();
            upkeep.rehash(large, Instant.MAX);
            double perByte =
                    ((System.nanoTime() - t1) / 1e9 - LARGE_BLOBS * perBlob)
                            / ((double) LARGE_BLOBS * LARGE_BYTES);
            System.out.printf(
                    "through the S3 adapter (S3Mock): %.2f ms per blob, %.0f MB/s streamed and hashed%n",
                    perBlob * 1e3, 1e-6 / perByte);
            return new double[] {perBlob, perByte};
        }
    }

    /**
     * The measured costs, and the projection: items per second and the median batch of the run; the
     * hours to scrub 1 TB at the map's concurrency from the S3 adapter's costs (docs/upkeep.md):
     * re-hash every byte and every blob of it, check every image (a manifest read and a look-up per
     * blob).
     */
    static void report(List<Batch> batches, int concurrency, double perBlob, double perByte) {
        List<Batch> rehash = batches.stream().filter(b -> b.map().equals("Rehash")).toList();
        List<Batch> check = batches.stream().filter(b -> b.map().equals("Check")).toList();
        double seconds = batches.stream().mapToDouble(Batch::seconds).sum();
        long items = batches.stream().mapToLong(Batch::items).sum();
        double blobsPerTb = 1e12 / BLOB_BYTES_IN_A_TB;
        double imagesPerTb = blobsPerTb / BLOBS_PER_IMAGE;
        double workPerTb =
                1e12 * perByte
                        + blobsPerTb * perBlob
                        + imagesPerTb * (BLOBS_PER_IMAGE + 1) * perBlob;
        List<Double> times = new ArrayList<>(batches.stream().map(Batch::seconds).toList());
        java.util.Collections.sort(times);
        System.out.printf(
                "the run: %d Rehash batch(es) (%d blobs, %.1f MB), %d Check batch(es) (%d images), %.1f s of batches%n",
                rehash.size(),
                rehash.stream().mapToLong(Batch::items).sum(),
                rehash.stream().mapToLong(Batch::bytes).sum() / 1e6,
                check.size(),
                check.stream().mapToLong(Batch::items).sum(),
                seconds);
        System.out.printf(
                "model: 1 TB = %.0f blobs of 16 MiB in %.0f images: %.0f s of batch work, over MaxConcurrency %d children%n",
                blobsPerTb, imagesPerTb, workPerTb, concurrency);
        System.out.printf(
                "upkeep-items-per-s=%.0f batch-s-p50=%.2f projected-tb-hours=%.2f%n",
                items / seconds,
                times.isEmpty() ? 0 : times.get(times.size() / 2),
                workPerTb / concurrency / 3600);
    }

    /**
     * The images' blobs and the index, written as archivers would have; returns blobs and bytes
     * stored.
     */
    private static long[] populate(ArchiveLayout layout) throws Exception {
        List<OciImages.Blob> base = new ArrayList<>();
        for (int i = 0; i < BASE_LAYERS; i++) {
            base.add(
                    OciImages.Blob.of(
                            OciImages.randomBytes(BASE_BYTES, 10_000 + i),
                            "application/vnd.oci.image.layer.v1.tar"));
        }
        List<OciImages.Blob> blobs = new ArrayList<>(base);
        List<ArchiveIndex.Entry> entries = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < IMAGES; i++) {
            OciImages.Blob own =
                    OciImages.Blob.of(
                            OciImages.randomBytes(OWN_BYTES, i),
                            "application/vnd.oci.image.layer.v1.tar");
            OciImages.Image image =
                    OciImages.image(
                            List.of(base.get(i % BASE_LAYERS), own),
                            Map.of("n", Integer.toString(i)),
                            List.of(),
                            "amd64");
            blobs.add(own);
            blobs.add(image.config());
            blobs.add(image.manifest());
            entries.add(
                    new ArchiveIndex.Entry(
                            "bench/app",
                            "v" + i,
                            image.manifest().digest(),
                            OciImages.MANIFEST,
                            image.manifest().bytes().length,
                            now,
                            true,
                            image.compressedSize(),
                            0,
                            "linux/amd64",
                            null));
        }
        for (int i = 0; i < LARGE_BLOBS; i++) {
            blobs.add(
                    OciImages.Blob.of(
                            OciImages.randomBytes(LARGE_BYTES, 77 + i),
                            "application/vnd.oci.image.layer.v1.tar"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (OciImages.Blob b : blobs) {
                puts.add(
                        pool.submit(
                                () ->
                                        layout.putBlob(
                                                b.digest(),
                                                b.bytes().length,
                                                new ByteArrayInputStream(b.bytes()))));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        if (!layout.replaceIndex(new ArchiveIndex(entries), layout.readIndex().version())) {
            throw new IllegalStateException("the synthetic index could not be written");
        }
        long small =
                blobs.stream()
                        .limit(blobs.size() - LARGE_BLOBS)
                        .mapToLong(b -> b.bytes().length)
                        .sum();
        return new long[] {blobs.size() - LARGE_BLOBS, small};
    }
}
