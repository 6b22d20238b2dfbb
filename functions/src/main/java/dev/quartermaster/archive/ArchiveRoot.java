package dev.quartermaster.archive;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The archive feature's composition root: what image-archive, archive-scrub and archive-prune are
 * built from.
 */
public final class ArchiveRoot {
    private ArchiveRoot() {}

    /** The archive bucket as an OCI layout, its S3 client built on first use. */
    public static ArchiveLayout layout(Platform p) {
        return layout(p, s3(p));
    }

    private static java.util.function.Supplier<software.amazon.awssdk.services.s3.S3Client> s3(
            Platform p) {
        return Platform.memo(() -> dev.quartermaster.common.S3Clients.create(p.clients()));
    }

    private static ArchiveLayout layout(
            Platform p,
            java.util.function.Supplier<software.amazon.awssdk.services.s3.S3Client> s3) {
        S3ArchiveLayout layout =
                new S3ArchiveLayout(s3, p.settings().get(Setting.ARCHIVE_BUCKET), "");
        // a look-up of a blob nothing has, sent to the archive bucket: a batch makes a hundred
        // requests or more, so the HTTP client's own path (the connection, its headers) is sent
        // often enough for the JIT, within a budget (each is a read that finds nothing)
        dev.quartermaster.common.Priming.reach(
                "S3",
                () ->
                        dev.quartermaster.common.Priming.repeat(
                                PRIMING_LOOKUPS,
                                PRIMING_LOOKUPS_BUDGET,
                                () -> layout.blob(dev.quartermaster.common.Priming.NO_DIGEST)));
        // the blobs' hashing (the scrub's re-hash, the archive's copy): a few MiB in memory
        dev.quartermaster.common.Priming.reach("hashing", ArchiveRoot::primeHashing);
        dev.quartermaster.common.Priming.reach("blob reads", () -> primeBlobReads(s3));
        return layout;
    }

    /** How many look-ups of a missing blob the archive bucket gets at most, and for how long. */
    static final int PRIMING_LOOKUPS = 100;

    static final Duration PRIMING_LOOKUPS_BUDGET = Duration.ofMillis(400);

    /** How many blob reads {@link #primeBlobReads} makes at most, and for how long. */
    static final int PRIMING_BLOB_READS = 250;

    static final Duration PRIMING_BLOB_READS_BUDGET = Duration.ofMillis(500);

    /**
     * A blob's read and look-up, each as often as the JIT compiles a method (a few hundred calls),
     * on the guard's bucket, so PrimingGuard answers every one in-process: a scrub batch reads a
     * hundred blobs or more, and without this its first batch ran the SDK's per-request path
     * (endpoint rules, signing, the response's unmarshalling) interpreted, 1.6 times its warm time.
     * Bounded by {@link #PRIMING_BLOB_READS_BUDGET}.
     *
     * @return the reads made
     */
    static int primeBlobReads(
            java.util.function.Supplier<software.amazon.awssdk.services.s3.S3Client> s3) {
        S3ArchiveLayout guarded = guardedLayout(s3, "");
        return dev.quartermaster.common.Priming.repeat(
                PRIMING_BLOB_READS,
                PRIMING_BLOB_READS_BUDGET,
                () -> {
                    try (var in = guarded.openBlob(dev.quartermaster.common.Priming.NO_DIGEST)) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    guarded.blob(dev.quartermaster.common.Priming.NO_DIGEST);
                });
    }

    /**
     * A layout on the guard's bucket ({@code qm-priming}) under {@code prefix}, whose every S3 call
     * PrimingGuard answers in-process while a primer runs, with one part buffer of S3's smallest
     * part (what it stores is a few hundred bytes; the snapshot is not to hold the default buffers'
     * tens of MiB of garbage).
     */
    private static S3ArchiveLayout guardedLayout(
            java.util.function.Supplier<software.amazon.awssdk.services.s3.S3Client> s3,
            String prefix) {
        return new S3ArchiveLayout(
                s3,
                dev.quartermaster.common.PrimingGuard.MARK,
                prefix,
                5 * 1024 * 1024,
                1,
                null,
                Long.MAX_VALUE);
    }

    /**
     * An image's whole copy, on the priming image (its own loopback registry) into a layout on the
     * guard's bucket ({@code qm-priming}), whose every S3 call PrimingGuard answers in-process (its
     * prefix, {@code qm-priming/missing/}, holds nothing: an empty archive): the manifest, the
     * blobs streamed, hashed and stored, the index read and updated. The primer's push names a
     * digest nothing has, which ends at the registry's "not found" before any of this. Only while a
     * primer runs (Priming.reach): outside one, these calls would go out.
     */
    static ImageArchiver.Result primeCopy(
            java.util.function.Supplier<software.amazon.awssdk.services.s3.S3Client> s3) {
        try (var image =
                dev.quartermaster.registry.PrimingImage.serve(
                        "qm-priming/version", "version=1.0.0\n")) {
            return new ImageArchiver(
                            ImageSource.fromRegistry(image.client()),
                            guardedLayout(s3, dev.quartermaster.common.PrimingGuard.MISSING + "/"),
                            ImageArchiver.Limits.defaults(),
                            Clock.systemUTC())
                    .archive(
                            dev.quartermaster.registry.PrimingImage.REPOSITORY,
                            image.digest(),
                            "qm-priming",
                            java.time.Instant.now().plusSeconds(30),
                            ImageArchiver.Progress.NONE);
        }
    }

    private static void primeHashing() {
        byte[] bytes = new byte[1 << 20];
        for (int round = 0; round < 4; round++) {
            try (var h =
                    new dev.quartermaster.registry.Digests.CountingDigestStream(
                            new java.io.ByteArrayInputStream(bytes))) {
                h.transferTo(java.io.OutputStream.nullOutputStream());
                h.hex();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    public static ArchiveService service(Platform p) {
        return service(p, RegistryRoot.registry(p));
    }

    public static ArchiveService service(Platform p, RegistryClient registry) {
        var s3 = s3(p);
        ImageArchiver archiver =
                new ImageArchiver(
                        ImageSource.fromRegistry(registry),
                        layout(p, s3),
                        ImageArchiver.Limits.defaults(),
                        Clock.systemUTC());
        dev.quartermaster.common.Priming.reach("image copy", () -> primeCopy(s3));
        return new ArchiveService(
                archiver,
                LedgerRoot.store(p),
                IdempotencyRoot.store(p),
                p.alerts(),
                Clock.systemUTC());
    }

    /** ECR's DescribeImages in AWS; the registry's tag lists elsewhere. */
    public static ImageLister lister(Platform p, RegistryClient registry) {
        if ("ecr".equals(p.settings().get(Setting.REGISTRY_AUTH))) {
            return new EcrImageLister(Platform.memo(() -> RegistryRoot.ecr(p)));
        }
        return new RegistryImageLister(registry);
    }

    public static List<String> repositories(Settings s) {
        return Arrays.stream(s.get(Setting.MANAGED_REPOSITORIES).split(","))
                .map(String::trim)
                .filter(r -> !r.isEmpty())
                .toList();
    }

    public static ArchiveUpkeep upkeep(Platform p) {
        return new ArchiveUpkeep(layout(p), LedgerRoot.store(p), p.alerts(), Clock.systemUTC());
    }

    /**
     * The scrub's share of blobs, checked at start: a bad setting fails the function's first run
     * loudly.
     */
    public static int scrubPercent(Settings s) {
        int percent = s.getInt(Setting.ARCHIVE_SCRUB_PERCENT);
        if (percent < 1 || percent > 100) {
            throw new IllegalStateException("ARCHIVE_SCRUB_PERCENT=" + percent + " must be 1..100");
        }
        return percent;
    }

    public static Duration retention(Settings s) {
        return Duration.ofDays(s.getInt(Setting.ARCHIVE_RETENTION_DAYS));
    }

    public static Duration grace(Settings s) {
        return Duration.ofHours(s.getInt(Setting.ARCHIVE_GRACE_HOURS));
    }
}
