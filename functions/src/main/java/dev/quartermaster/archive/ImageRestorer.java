package dev.quartermaster.archive;

import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.TagEvent;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pushes an archived image to any OCI registry: blobs first (those the target already holds are
 * skipped), then platform manifests, then the index, then referrers, each manifest by its digest
 * and the top one also under the tag. Every byte read from the archive is checked against its
 * digest on the way; at the end the target is asked for the tag and must answer the archived
 * digest.
 */
public final class ImageRestorer {
    private final ArchiveLayout layout;
    private final RegistryWriter target;
    private final RegistryClient targetReader;

    public ImageRestorer(ArchiveLayout layout, RegistryWriter target, RegistryClient targetReader) {
        this.layout = layout;
        this.target = target;
        this.targetReader = targetReader;
    }

    /** What a restore did. */
    public record Result(
            String digest,
            String target,
            int blobsPushed,
            int blobsSkipped,
            long bytesPushed,
            String targetDigest) {}

    /** An archived image named as REPO:TAG or REPO@DIGEST, found in the index. */
    public static ArchiveIndex.Entry resolve(ArchiveIndex index, String reference) {
        int at = reference.indexOf('@');
        if (at > 0) {
            String repo = reference.substring(0, at);
            String digest = reference.substring(at + 1);
            return index.byDigest(repo, digest).stream()
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new ArchiveException(
                                            "the archive holds no image "
                                                    + reference
                                                    + " (bin/qm archive list "
                                                    + repo
                                                    + " shows what it holds)"));
        }
        int colon = reference.lastIndexOf(':');
        if (colon <= 0 || reference.indexOf('/', colon) >= 0) {
            throw new ArchiveException("'" + reference + "' is not REPO:TAG or REPO@sha256:<hex>");
        }
        return index.find(reference)
                .orElseThrow(
                        () ->
                                new ArchiveException(
                                        "the archive holds no tag "
                                                + reference
                                                + " (bin/qm archive list "
                                                + reference.substring(0, colon)
                                                + " shows what it holds)"));
    }

    /**
     * The ledger's word on the archive's claim that a tag is a digest: null when the tag's history
     * holds that digest, or holds nothing (an archive restored into another account has no ledger
     * of it); otherwise why index.json must not be trusted for this tag (an altered index would
     * push another image under the tag).
     */
    public static String disagreement(ArchiveIndex.Entry entry, List<TagEvent> history) {
        if (entry.tag() == null || history.isEmpty()) {
            return null;
        }
        if (history.stream()
                .anyMatch(
                        t ->
                                t.action() == ImageAction.Kind.PUSH
                                        && entry.digest().equals(t.digest()))) {
            return null;
        }
        List<String> seen =
                history.stream()
                        .map(TagEvent::digest)
                        .filter(java.util.Objects::nonNull)
                        .distinct()
                        .limit(5)
                        .toList();
        return "index.json says "
                + entry.refName()
                + " is "
                + entry.digest()
                + ", but the ledger never saw that tag on that digest (it saw "
                + String.join(", ", seen)
                + "): the index may have been altered. Check the digest, then restore it by digest ("
                + entry.repository()
                + "@sha256:...), or fix index.json";
    }

    public Result restore(
            ArchiveIndex.Entry entry,
            String targetRepository,
            String targetTag,
            ImageArchiver.Progress progress) {
        if (!ArchiveIndex.REPOSITORY.matcher(targetRepository).matches()
                || (targetTag != null && !ArchiveIndex.TAG.matcher(targetTag).matches())) {
            throw new ArchiveException(
                    "'"
                            + dev.quartermaster.common.Text.oneLine(
                                    targetRepository + (targetTag == null ? "" : ":" + targetTag),
                                    200)
                            + "' is not a valid repository[:tag] to restore to");
        }
        ImageSource source = ImageSource.fromLayout(layout);
        Counts c = new Counts();
        Manifest top = source.manifest(entry.repository(), entry.digest(), entry.mediaType());
        List<Manifest> images = new java.util.ArrayList<>();
        if (top.isIndex()) {
            for (Descriptor d : top.manifests()) {
                images.add(source.manifest(entry.repository(), d.digest(), d.mediaType()));
            }
        } else {
            images.add(top);
        }
        List<Descriptor> referrers = source.referrers(entry.repository(), top.digest());
        List<Manifest> referring = new java.util.ArrayList<>();
        for (Descriptor r : referrers) {
            referring.add(source.manifest(entry.repository(), r.digest(), r.mediaType()));
        }
        // every blob first, several at once; a manifest goes up only once all it names are there
        // as many blobs at once as the archiver copies: each streams from the archive to the
        // target, verified on the way
        try (ParallelJobs pushes =
                new ParallelJobs(ImageArchiver.Limits.DEFAULT_PARALLEL_BLOBS, "restore")) {
            for (Manifest m : images) {
                pushImage(source, entry.repository(), m, targetRepository, c, progress, pushes);
            }
            for (Manifest m : referring) {
                if (!m.isIndex()) {
                    pushImage(source, entry.repository(), m, targetRepository, c, progress, pushes);
                }
            }
            pushes.await();
        }
        if (top.isIndex()) {
            for (Manifest child : images) {
                put(targetRepository, child.digest(), child);
            }
        }
        put(targetRepository, top.digest(), top);
        if (targetTag != null) {
            put(targetRepository, targetTag, top);
        }
        boolean api =
                referrers.isEmpty() || targetReader.hasReferrersApi(targetRepository, top.digest());
        for (Manifest m : referring) {
            put(targetRepository, m.digest(), m);
            if (!api) { // a registry without the referrers API finds a referrer (a signature) only
                // through the tag schema's index
                dev.quartermaster.registry.ReferrersTagSchema.add(
                        targetReader, target, targetRepository, top.digest(), m);
            }
        }
        String asked = targetTag != null ? targetTag : top.digest();
        String now = targetReader.manifest(targetRepository, asked).digest();
        if (!now.equals(top.digest())) {
            throw new ArchiveException(
                    "the target "
                            + target.url()
                            + "/"
                            + targetRepository
                            + ":"
                            + asked
                            + " answers "
                            + now
                            + ", not the archived "
                            + top.digest()
                            + ": the restore did not give back the same image");
        }
        return new Result(
                top.digest(),
                target.url()
                        + "/"
                        + targetRepository
                        + (targetTag != null ? ":" + targetTag : "@" + top.digest()),
                c.pushed,
                c.skipped,
                c.bytes,
                now);
    }

    private void put(String repository, String reference, Manifest m) {
        String digest = target.putManifest(repository, reference, m.mediaType(), m.bytes());
        if (!digest.equals(m.digest())) {
            throw new ArchiveException(
                    "the target stored manifest "
                            + m.digest()
                            + " as "
                            + digest
                            + ": it changed the bytes");
        }
    }

    private void pushImage(
            ImageSource source,
            String repository,
            Manifest m,
            String targetRepository,
            Counts c,
            ImageArchiver.Progress progress,
            ParallelJobs pushes) {
        for (Descriptor d : m.children()) {
            if (!c.seen.add(d.digest())) {
                continue;
            }
            pushes.submit(
                    () -> {
                        if (target.hasBlob(targetRepository, d.digest())) {
                            c.skipped(d, progress);
                            return;
                        }
                        target.pushBlob(
                                targetRepository,
                                d.digest(),
                                d.size(),
                                () -> source.blob(repository, d.digest()));
                        c.pushed(d, progress);
                    });
        }
    }

    /**
     * What the pushes did; {@code seen} only in the caller's thread, the rest from the push
     * threads.
     */
    private static final class Counts {
        final Set<String> seen = new HashSet<>();
        int pushed;
        int skipped;
        long bytes;

        synchronized void skipped(Descriptor d, ImageArchiver.Progress progress) {
            skipped++;
            progress.blob(d.digest(), d.size(), true);
        }

        synchronized void pushed(Descriptor d, ImageArchiver.Progress progress) {
            pushed++;
            bytes += d.size();
            progress.blob(d.digest(), d.size(), false);
        }
    }
}
