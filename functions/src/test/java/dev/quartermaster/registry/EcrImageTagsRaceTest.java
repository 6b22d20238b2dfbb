package dev.quartermaster.registry;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageRequest;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.BatchGetImageRequest;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.PutImageRequest;
import software.amazon.awssdk.services.ecr.model.PutImageResponse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mark sweep's untag against ECR's rule that removing an image's last tag deletes the image
 * (BatchDeleteImage by tag), with the race issue 32.9 describes: a mutable tag moves away between
 * the sweep's look at the tags and its call. The SDK interface is the edge: this stand-in keeps one
 * image's tags the way ECR would.
 */
class EcrImageTagsRaceTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String MARK = "qm-release-" + "a".repeat(64);
    private static final String MANIFEST = "{\"schemaVersion\":2}";

    /**
     * One image in one repository; {@code onDelete} runs inside BatchDeleteImage, before ECR
     * applies it (the race).
     */
    private static final class OneImage implements EcrClient {
        final Set<String> tags = new LinkedHashSet<>();
        boolean exists = true;
        Runnable onDelete = () -> {};
        final List<String> calls = new ArrayList<>();

        OneImage(String... tags) {
            this.tags.addAll(List.of(tags));
        }

        @Override
        public DescribeImagesResponse describeImages(DescribeImagesRequest r) {
            calls.add("DescribeImages");
            if (!exists) {
                throw ImageNotFoundException.builder()
                        .message(
                                "The image with imageId {imageDigest:'"
                                        + DIGEST
                                        + "'} does not exist")
                        .build();
            }
            return DescribeImagesResponse.builder()
                    .imageDetails(
                            ImageDetail.builder()
                                    .imageDigest(DIGEST)
                                    .imageTags(List.copyOf(tags))
                                    .build())
                    .build();
        }

        @Override
        public BatchGetImageResponse batchGetImage(BatchGetImageRequest r) {
            calls.add("BatchGetImage");
            return BatchGetImageResponse.builder()
                    .images(
                            Image.builder()
                                    .imageId(ImageIdentifier.builder().imageDigest(DIGEST).build())
                                    .imageManifest(MANIFEST)
                                    .imageManifestMediaType(MediaTypes.OCI_MANIFEST)
                                    .build())
                    .build();
        }

        @Override
        public BatchDeleteImageResponse batchDeleteImage(BatchDeleteImageRequest r) {
            calls.add("BatchDeleteImage " + r.imageIds().get(0).imageTag());
            onDelete.run();
            tags.remove(r.imageIds().get(0).imageTag());
            exists = !tags.isEmpty(); // ECR: the image's last tag gone, the image is deleted
            return BatchDeleteImageResponse.builder().imageIds(r.imageIds()).build();
        }

        @Override
        public PutImageResponse putImage(PutImageRequest r) {
            calls.add("PutImage " + r.imageTag());
            assertThat(r.imageManifest()).isEqualTo(MANIFEST);
            assertThat(r.imageDigest()).isEqualTo(DIGEST);
            exists = true;
            tags.add(r.imageTag());
            return PutImageResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "ecr";
        }

        @Override
        public void close() {}
    }

    @Test
    void remove_whenAnotherTagStays_removesTheMark() {
        OneImage ecr = new OneImage(MARK, "wp-6.4-v1");
        assertThat(new EcrImageTags(() -> ecr).remove("wordpress", DIGEST, MARK))
                .isEqualTo(ImageTags.Removal.REMOVED);
        assertThat(ecr.tags).containsExactly("wp-6.4-v1");
    }

    @Test
    void remove_whenTheMarkIsTheOnlyTag_neverCallsTheDelete() {
        OneImage ecr = new OneImage(MARK);
        assertThat(new EcrImageTags(() -> ecr).remove("wordpress", DIGEST, MARK))
                .isEqualTo(ImageTags.Removal.ONLY_TAG);
        assertThat(ecr.calls).noneMatch(c -> c.startsWith("BatchDeleteImage"));
        assertThat(ecr.exists).isTrue();
    }

    @Test
    void
            remove_whenTheOtherTagMovesAwayDuringTheCall_failsNamingTheArchiveRestore_andNeverPushes() {
        OneImage ecr = new OneImage(MARK, "latest");
        ecr.onDelete =
                () ->
                        ecr.tags.remove(
                                "latest"); // `latest` pushed onto another digest at that instant

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new EcrImageTags(() -> ecr).remove("wordpress", DIGEST, MARK))
                .isInstanceOf(dev.quartermaster.registry.RegistryException.class)
                .hasMessageContaining("ECR deleted it")
                .hasMessageContaining("bin/qm archive restore wordpress@" + DIGEST);
        assertThat(ecr.calls)
                .as("the functions that sweep hold no ecr:PutImage or ecr:BatchGetImage")
                .noneMatch(c -> c.startsWith("PutImage") || c.startsWith("BatchGetImage"))
                .containsSubsequence(
                        "DescribeImages",
                        "DescribeImages",
                        "BatchDeleteImage " + MARK,
                        "DescribeImages");
    }
}
