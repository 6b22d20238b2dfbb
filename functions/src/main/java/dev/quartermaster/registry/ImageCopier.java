package dev.quartermaster.registry;

/**
 * Copies one image by digest from one registry to another, as ECR's replication does: the blobs the
 * target lacks (verified against their digests while they stream), every platform manifest of an
 * index, then the manifest's own bytes under its digest, so the target holds the same digest. A
 * copy that fails halfway leaves only content-addressed blobs behind (nothing names them), never a
 * manifest whose blobs are missing.
 */
public final class ImageCopier {
    /**
     * An index points at no more platform manifests than this (and no index at another index deeper
     * than this).
     */
    static final int MAX_CHILDREN = 64;

    private final RegistryClient source;
    private final RegistryWriter target;

    public ImageCopier(RegistryClient source, RegistryWriter target) {
        this.source = source;
        this.target = target;
    }

    /** What a copy moved: blob bytes sent, blobs the target already had, manifests written. */
    public record Copied(long bytes, int blobsPresent, int manifests) {
        Copied plus(Copied o) {
            return new Copied(
                    bytes + o.bytes, blobsPresent + o.blobsPresent, manifests + o.manifests);
        }
    }

    /**
     * Copies {@code repository@digest} (tagging it {@code tag} too when not null); nothing when the
     * target has it.
     */
    public Copied copy(String repository, String digest, String tag) {
        Copied c = copy(repository, digest, 0);
        if (tag != null) {
            Manifest m = source.manifest(repository, digest);
            target.putManifest(repository, tag, m.mediaType(), m.bytes());
        }
        return c;
    }

    private Copied copy(String repository, String digest, int depth) {
        if (target.hasManifest(repository, digest)) {
            return new Copied(0, 0, 0);
        }
        Manifest m = source.manifest(repository, digest);
        Copied done = new Copied(0, 0, 0);
        if (m.isIndex()) {
            if (depth > 1 || m.manifests().size() > MAX_CHILDREN) {
                throw new RegistryException(
                        repository
                                + "@"
                                + digest
                                + " nests or lists more manifests than a copy follows");
            }
            for (Descriptor child : m.manifests()) {
                done = done.plus(copy(repository, child.digest(), depth + 1));
            }
        } else {
            for (Descriptor blob : m.children()) {
                if (target.hasBlob(repository, blob.digest())) {
                    done = done.plus(new Copied(0, 1, 0));
                    continue;
                }
                target.pushBlob(
                        repository,
                        blob.digest(),
                        blob.size(),
                        () -> source.blob(repository, blob.digest()));
                done = done.plus(new Copied(blob.size(), 0, 0));
            }
        }
        String written = target.putManifest(repository, digest, m.mediaType(), m.bytes());
        if (written != null && !written.isEmpty() && !written.equals(digest)) {
            throw new RegistryException(
                    "the target stored " + repository + "@" + digest + " as " + written);
        }
        return done.plus(new Copied(0, 0, 1));
    }
}
