package dev.quartermaster.cli.bench;

import dev.quartermaster.archive.ImageArchiver;
import dev.quartermaster.archive.ImageSource;
import dev.quartermaster.archive.S3ArchiveLayout;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs in a JVM of its own, started with the heap bound under test ({@code -Xmx}): archives one
 * image (the 1 GiB layer) from a registry into S3 with the function's defaults and prints the
 * heap's peak, sampled every 5 ms, and the JVM's own peak per heap pool (summed: an upper bound).
 * An OutOfMemoryError fails the probe, so a run that ends proves the bound. Arguments: registry
 * URL, S3 endpoint, bucket, repository, digest.
 */
public final class ArchivePeakProbe {
    private ArchivePeakProbe() {}

    public static void main(String[] args) throws Exception {
        // the function's own S3 client (HTTP client, timeouts), pointed at the emulator
        S3Client s3 =
                dev.quartermaster.common.S3Clients.create(
                        new dev.quartermaster.common.AwsClients(
                                dev.quartermaster.common.Settings.of(
                                        java.util.Map.of(
                                                "AWS_ENDPOINT_URL",
                                                args[1],
                                                "AWS_REGION",
                                                "us-east-1",
                                                "AWS_ACCESS_KEY_ID",
                                                "bench",
                                                "AWS_SECRET_ACCESS_KEY",
                                                "bench"))));
        var runtime = Runtime.getRuntime();
        AtomicLong sampled = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler =
                new Thread(
                        () -> {
                            while (running.get()) {
                                sampled.accumulateAndGet(
                                        runtime.totalMemory() - runtime.freeMemory(), Math::max);
                                try {
                                    Thread.sleep(5);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        });
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        var r =
                new ImageArchiver(
                                ImageSource.fromRegistry(
                                        new RegistryClient(args[0], RegistryAuth.anonymous())),
                                new S3ArchiveLayout(() -> s3, args[2], "peak/"),
                                ImageArchiver.Limits.defaults(),
                                Clock.systemUTC())
                        .archive(args[3], args[4], null, Instant.MAX, ImageArchiver.Progress.NONE);
        double secs = (System.nanoTime() - t0) / 1e9;
        running.set(false);
        sampler.join();
        long pools = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                pools += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                "QM_PEAK stored=%d seconds=%.1f sampled-mb=%.0f pools-mb=%.0f max-heap-mb=%.0f complete=%s%n",
                r.bytesStored(),
                secs,
                sampled.get() / 1048576.0,
                pools / 1048576.0,
                runtime.maxMemory() / 1048576.0,
                r.complete());
    }
}
