package dev.quartermaster.registry;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.TagStatus;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * ECR's way to tag an existing image: BatchGetImage for the manifest exactly as pushed, PutImage of
 * those bytes with the new tag and the digest (ECR checks it); untagging is BatchDeleteImage by
 * tag, done only when the image has another tag (removing an image's last tag deletes the image).
 * Needs ecr:BatchGetImage, ecr:PutImage, ecr:DescribeImages and ecr:BatchDeleteImage on the
 * repository.
 */
public final class EcrImageTags implements ImageTags {
    private final Supplier<EcrClient> ecr;

    public EcrImageTags(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public void add(String repository, String digest, String tag) {
        BatchGetImageResponse got =
                ecr.get()
                        .batchGetImage(
                                b ->
                                        b.repositoryName(repository)
                                                .imageIds(
                                                        ImageIdentifier.builder()
                                                                .imageDigest(digest)
                                                                .build())
                                                .acceptedMediaTypes(MediaTypes.MANIFEST_TYPES));
        if (!got.hasImages() || got.images().isEmpty()) {
            String why =
                    got.hasFailures() && !got.failures().isEmpty()
                            ? got.failures().get(0).failureCodeAsString()
                                    + " "
                                    + got.failures().get(0).failureReason()
                            : "no such image";
            throw new RegistryException(
                    "cannot tag "
                            + repository
                            + "@"
                            + digest
                            + ": "
                            + dev.quartermaster.common.Text.oneLine(why, 200));
        }
        var image = got.images().get(0);
        try {
            ecr.get()
                    .putImage(
                            b ->
                                    b.repositoryName(repository)
                                            .imageManifest(image.imageManifest())
                                            .imageManifestMediaType(image.imageManifestMediaType())
                                            .imageDigest(digest)
                                            .imageTag(tag));
        } catch (ImageAlreadyExistsException e) {
            // the digest already carries the tag: what we wanted
        }
    }

    /**
     * Re-reads the image's tags right before the removal and removes only when another tag stays.
     * ECR has no conditional untag: if the other tags go in the instant between that read and the
     * call (a mutable {@code latest} moving), ECR deletes the image with its last tag. Putting it
     * back would need {@code ecr:PutImage}, which no function holds (a function that can put images
     * can move any tag), so an image found gone after the removal is an error naming the archive's
     * restore: the sweep records it as failed and alerts, and a person puts it back.
     */
    @Override
    public Removal remove(String repository, String digest, String tag) {
        if (tagsOf(repository, digest).map(t -> !t.contains(tag)).orElse(true)) {
            return Removal.ABSENT;
        }
        List<String> tags =
                tagsOf(repository, digest).orElse(List.of()); // again, right before the call
        if (!tags.contains(tag)) {
            return Removal.ABSENT;
        }
        if (tags.stream().noneMatch(t -> !t.equals(tag))) {
            return Removal.ONLY_TAG;
        }
        // by tag only: ECR documents that as removing the tag. With the digest too, the image
        // itself may go (moto's server
        // deletes it whole); the marks name their digest, so the tag alone is unambiguous
        BatchDeleteImageResponse r =
                ecr.get()
                        .batchDeleteImage(
                                b ->
                                        b.repositoryName(repository)
                                                .imageIds(
                                                        ImageIdentifier.builder()
                                                                .imageTag(tag)
                                                                .build()));
        if (r.hasFailures() && !r.failures().isEmpty()) {
            var f = r.failures().get(0);
            if ("ImageNotFound".equals(f.failureCodeAsString())
                    || "ImageTagDoesNotMatchDigest".equals(f.failureCodeAsString())) {
                return Removal.ABSENT;
            }
            throw new RegistryException(
                    "cannot untag "
                            + repository
                            + ":"
                            + tag
                            + ": "
                            + f.failureCodeAsString()
                            + " "
                            + dev.quartermaster.common.Text.oneLine(f.failureReason(), 200));
        }
        if (tagsOf(repository, digest).isPresent()) {
            return Removal.REMOVED;
        }
        // the race hit: the mark was the last tag and ECR deleted the image with it
        throw new RegistryException(
                "ECR deleted it: its other tags went while its mark came off. Put it back: bin/qm archive restore "
                        + repository
                        + "@"
                        + digest
                        + " --to <this registry>, then release it again (which marks it)");
    }

    /** The image's tags; empty if the image is gone. */
    private java.util.Optional<List<String>> tagsOf(String repository, String digest) {
        try {
            DescribeImagesResponse d =
                    ecr.get()
                            .describeImages(
                                    b ->
                                            b.repositoryName(repository)
                                                    .imageIds(
                                                            ImageIdentifier.builder()
                                                                    .imageDigest(digest)
                                                                    .build()));
            if (d.imageDetails().isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(
                    d.imageDetails().get(0).hasImageTags()
                            ? d.imageDetails().get(0).imageTags()
                            : List.of());
        } catch (ImageNotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public Map<String, Set<String>> tagged(String repository, String prefix) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (ImageDetail d :
                ecr.get()
                        .describeImagesPaginator(
                                b ->
                                        b.repositoryName(repository)
                                                .filter(f -> f.tagStatus(TagStatus.TAGGED)))
                        .imageDetails()) {
            if (!d.hasImageTags()) {
                continue;
            }
            Set<String> marks = new LinkedHashSet<>();
            d.imageTags().stream().filter(t -> t.startsWith(prefix)).forEach(marks::add);
            if (!marks.isEmpty()) {
                out.put(d.imageDigest(), marks);
            }
        }
        return out;
    }
}
