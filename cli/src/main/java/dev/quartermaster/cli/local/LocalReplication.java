package dev.quartermaster.cli.local;

import dev.quartermaster.registry.ImageCopier;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.replication.Destination;
import dev.quartermaster.replication.ReplicationStatus;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The local stand-in for ECR's replication: each destination is a second local registry; a replica
 * is copied by digest (ImageCopier, as ECR replicates), then checked there, and the event ECR would
 * emit in the destination is made: SUCCESS when the destination holds the digest, FAILED when it
 * does not (a broken copy). It also answers the sweep's question (does the destination hold the
 * digest?) the way DescribeImageReplicationStatus does.
 */
public final class LocalReplication {
    private final LocalEnvironment local;

    public LocalReplication(LocalEnvironment local) {
        this.local = local;
    }

    private String lastError;

    /** Why the last replicate() found no copy (null when it did). */
    public String lastError() {
        return lastError;
    }

    public String url(Destination d) {
        return local.replicaRegistry(d).url();
    }

    private RegistryClient source() {
        return new RegistryClient(local.registry().url(), RegistryAuth.anonymous());
    }

    /**
     * Replicates {@code repository@digest} to {@code d} and returns the destination's replication
     * event. {@code broken}: the copy goes wrong on the way (the manifest arrives altered), as a
     * failed replication would leave it.
     */
    public byte[] replicate(
            String repository, String digest, String tag, Destination d, boolean broken) {
        RegistryWriter target = new RegistryWriter(url(d), RegistryAuth.anonymous());
        boolean ok;
        try {
            if (broken) {
                var m = source().manifest(repository, digest);
                for (var blob : m.children()) {
                    if (!target.hasBlob(repository, blob.digest())) {
                        target.pushBlob(
                                repository,
                                blob.digest(),
                                blob.size(),
                                () -> source().blob(repository, blob.digest()));
                    }
                }
                byte[] altered =
                        (new String(m.bytes(), StandardCharsets.UTF_8) + "\n")
                                .getBytes(StandardCharsets.UTF_8);
                target.putManifest(
                        repository, tag != null ? tag : "broken", m.mediaType(), altered);
            } else {
                new ImageCopier(source(), target).copy(repository, digest, tag);
            }
            ok =
                    target.hasManifest(
                            repository, digest); // the proof: the destination holds the same digest
        } catch (RuntimeException e) {
            lastError = e.toString();
            ok = false;
        }
        return event(repository, digest, tag, d, ok);
    }

    /** ECR's replication event as the destination's registry emits it. */
    public static byte[] event(
            String repository, String digest, String tag, Destination d, boolean success) {
        String json =
                "{\"version\":\"0\",\"id\":\""
                        + UUID.randomUUID()
                        + "\",\"detail-type\":\"ECR Replication Action\",\"source\":\"aws.ecr\","
                        + "\"account\":\""
                        + d.account()
                        + "\",\"time\":\""
                        + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "\","
                        + "\"region\":\""
                        + d.region()
                        + "\",\"resources\":[\"arn:aws:ecr:"
                        + d.region()
                        + ":"
                        + d.account()
                        + ":repository/"
                        + repository
                        + "\"],"
                        + "\"detail\":{\"result\":\""
                        + (success ? "SUCCESS" : "FAILED")
                        + "\",\"repository-name\":\""
                        + repository
                        + "\","
                        + "\"image-digest\":\""
                        + digest
                        + "\",\"source-account\":\""
                        + LocalEnvironment.LOCAL_ACCOUNT
                        + "\",\"action-type\":\"REPLICATE\","
                        + "\"source-region\":\"us-east-1\""
                        + (tag == null ? "" : ",\"image-tag\":\"" + tag + "\"")
                        + "}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The sweep's question answered from the destination registries: COMPLETE where the digest is,
     * IN_PROGRESS elsewhere.
     */
    public ReplicationStatus status(List<Destination> destinations) {
        return (repository, digest) -> {
            List<ReplicationStatus.Status> out = new ArrayList<>();
            for (Destination d : destinations) {
                boolean there =
                        new RegistryWriter(url(d), RegistryAuth.anonymous())
                                .hasManifest(repository, digest);
                out.add(
                        new ReplicationStatus.Status(
                                d,
                                there
                                        ? ReplicationStatus.State.COMPLETE
                                        : ReplicationStatus.State.IN_PROGRESS,
                                null));
            }
            return out;
        };
    }

    /** Prints one progress line per image. */
    public static void progress(PrintStream out, int done, int total, String what) {
        out.printf("  [%d/%d] %s%n", done, total, what);
    }
}
