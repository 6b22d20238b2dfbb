package dev.quartermaster.replication;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.registry.RegistryRoot;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The replication proof's composition root: what image-replication and bin/qm replicate are built
 * from.
 */
public final class ReplicationRoot {
    private ReplicationRoot() {}

    public static ReplicationService service(Platform p) {
        return service(p, status(p));
    }

    /**
     * Where late replicas are checked: ECR's DescribeImageReplicationStatus, unless the platform
     * replaces it (the destination registries locally).
     */
    public static ReplicationStatus status(Platform p) {
        return p.shared(
                ReplicationStatus.class, q -> new EcrReplicationStatus(RegistryRoot.ecr(q)));
    }

    /** With another status source (a test's, or none locally: there is no ECR to ask). */
    public static ReplicationService service(Platform p, ReplicationStatus status) {
        Settings s = p.settings();
        return new ReplicationService(
                destinations(s),
                repositories(s),
                Duration.ofMinutes(s.getInt(Setting.REPLICATION_DEADLINE_MINUTES)),
                store(p),
                status,
                p.alerts(),
                Clock.systemUTC());
    }

    /**
     * The backfill of replication-backfill: the managed repositories from the home registry to each
     * destination's ECR.
     */
    public static BackfillJob backfill(Platform p) {
        var source = RegistryRoot.registry(p);
        return backfill(p, source, targets(p, source));
    }

    /**
     * The backfill from {@code source} to {@code targets} (bin/qm's local registries, a test's),
     * recorded in the ledger.
     */
    public static BackfillJob backfill(
            Platform p,
            dev.quartermaster.registry.RegistryClient source,
            java.util.function.Function<Destination, BackfillJob.Target> targets) {
        return new BackfillJob(
                service(p, (r, d) -> List.of()),
                backfillSource(p, source),
                targets,
                repositories(p.settings()),
                Clock.systemUTC());
    }

    /**
     * What the home registry holds: ECR's DescribeImages (tagged and untagged, with sizes), else
     * the registry's tag lists.
     */
    public static BackfillJob.Source backfillSource(
            Platform p, dev.quartermaster.registry.RegistryClient registry) {
        if ("ecr".equals(p.settings().get(Setting.REGISTRY_AUTH))) {
            var ecr = Platform.memo(() -> RegistryRoot.ecr(p));
            return repository -> {
                List<BackfillJob.Source.Image> out = new java.util.ArrayList<>();
                ecr.get()
                        .describeImagesPaginator(b -> b.repositoryName(repository))
                        .imageDetails()
                        .forEach(
                                d ->
                                        out.add(
                                                new BackfillJob.Source.Image(
                                                        d.imageDigest(),
                                                        d.hasImageTags()
                                                                ? List.copyOf(d.imageTags())
                                                                : List.of(),
                                                        d.imageSizeInBytes() == null
                                                                ? 0
                                                                : d.imageSizeInBytes())));
                return out;
            };
        }
        return repository -> {
            java.util.Map<String, List<String>> byDigest = new java.util.LinkedHashMap<>();
            for (String tag : registry.tags(repository)) {
                byDigest.computeIfAbsent(
                                registry.manifest(repository, tag).digest(),
                                d -> new java.util.ArrayList<>())
                        .add(tag);
            }
            return byDigest.entrySet().stream()
                    .map(
                            e ->
                                    new BackfillJob.Source.Image(
                                            e.getKey(), List.copyOf(e.getValue()), 0))
                    .toList();
        };
    }

    /**
     * Each destination's ECR (https://ACCOUNT.dkr.ecr.REGION.amazonaws.com, a token of that
     * region), one writer each. Without ECR (REGISTRY_AUTH none) there is no destination registry
     * to reach: each copy fails, saying so (bin/qm passes its local ones).
     */
    public static java.util.function.Function<Destination, BackfillJob.Target> targets(
            Platform p, dev.quartermaster.registry.RegistryClient source) {
        boolean ecr = "ecr".equals(p.settings().get(Setting.REGISTRY_AUTH));
        java.util.Map<Destination, BackfillJob.Target> made =
                new java.util.concurrent.ConcurrentHashMap<>();
        return d ->
                made.computeIfAbsent(
                        d,
                        x -> {
                            if (!ecr) {
                                throw new IllegalStateException(
                                        "no registry for "
                                                + x.key()
                                                + ": without ECR (REGISTRY_AUTH="
                                                + p.settings().get(Setting.REGISTRY_AUTH)
                                                + ") the destinations' registries are bin/qm's to name");
                            }
                            var writer =
                                    new dev.quartermaster.registry.RegistryWriter(
                                            "https://"
                                                    + x.account()
                                                    + ".dkr.ecr."
                                                    + x.region()
                                                    + ".amazonaws.com",
                                            RegistryRoot.ecrAuth(p, x.region()));
                            return target(source, writer);
                        });
    }

    /**
     * A destination registry as the backfill sees it: does it hold the digest, and a copy by digest
     * from {@code source}.
     */
    public static BackfillJob.Target target(
            dev.quartermaster.registry.RegistryClient source,
            dev.quartermaster.registry.RegistryWriter writer) {
        var copier = new dev.quartermaster.registry.ImageCopier(source, writer);
        return new BackfillJob.Target() {
            @Override
            public boolean has(String repository, String digest) {
                return writer.hasManifest(repository, digest);
            }

            @Override
            public long copy(String repository, String digest, String tag) {
                return copier.copy(repository, digest, tag).bytes();
            }
        };
    }

    /** The upkeep runs' files, in the archive bucket. */
    public static dev.quartermaster.upkeep.RunFiles runFiles(Platform p) {
        var s3 = Platform.memo(() -> dev.quartermaster.common.S3Clients.create(p.clients()));
        String bucket = p.settings().get(Setting.ARCHIVE_BUCKET);
        // a HEAD of a run's file nobody writes, where this function reads and writes its runs (not
        // named qm-priming: that name the guard answers in-process, and this read warms the real
        // way)
        dev.quartermaster.common.Priming.reach(
                "S3",
                () ->
                        s3.get()
                                .headObject(
                                        b ->
                                                b.bucket(bucket)
                                                        .key(
                                                                dev.quartermaster.contract.Upkeep
                                                                                .REPLICATION_BACKFILL
                                                                                .runFolder(
                                                                                        "00000000T000000Z-000000000000")
                                                                        + "none")));
        return new dev.quartermaster.upkeep.S3RunFiles(s3, bucket);
    }

    public static ReplicaStore store(Platform p) {
        return new DynamoDbReplicaStore(p.dynamoDb(), p.table());
    }

    /**
     * The destinations; a missing account is this account's (EXPECTED_ACCOUNT), or a placeholder
     * locally.
     */
    public static List<Destination> destinations(Settings s) {
        String home = s.get(Setting.EXPECTED_ACCOUNT);
        return Destination.parseList(
                s.get(Setting.REPLICATION_DESTINATIONS),
                home == null || home.isBlank() ? "000000000000" : home);
    }

    static List<String> repositories(Settings s) {
        return repositories(s.get(Setting.REPLICATION_REPOSITORIES));
    }

    /** REPLICATION_REPOSITORIES: a JSON list of repository names, each checked. */
    public static List<String> repositories(String json) {
        try {
            var list =
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readValue(
                                    json,
                                    new com.fasterxml.jackson.core.type.TypeReference<
                                            List<String>>() {});
            list.forEach(dev.quartermaster.events.Validation::repository);
            return List.copyOf(list);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "REPLICATION_REPOSITORIES must be a JSON list of repository names: "
                            + e.getMessage());
        }
    }
}
