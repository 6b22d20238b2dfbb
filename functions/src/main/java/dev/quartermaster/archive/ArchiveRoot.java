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
        var s3 = Platform.memo(() -> dev.quartermaster.common.S3Clients.create(p.clients()));
        S3ArchiveLayout layout =
                new S3ArchiveLayout(s3, p.settings().get(Setting.ARCHIVE_BUCKET), "");
        dev.quartermaster.common.Priming.reach(
                "S3", () -> layout.blob(dev.quartermaster.common.Priming.NO_DIGEST));
        // the blobs' hashing (the scrub's re-hash, the archive's copy): a few MiB in memory
        dev.quartermaster.common.Priming.reach("hashing", ArchiveRoot::primeHashing);
        return layout;
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
        ImageArchiver archiver =
                new ImageArchiver(
                        ImageSource.fromRegistry(registry),
                        layout(p),
                        ImageArchiver.Limits.defaults(),
                        Clock.systemUTC());
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
