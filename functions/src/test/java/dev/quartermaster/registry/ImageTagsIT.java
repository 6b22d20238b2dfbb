package dev.quartermaster.registry;

import dev.quartermaster.testkit.LocalMoto;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalRegistries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The release marks' two adapters on real servers: ECR's API on moto's server (PutImage of the
 * manifest as pushed, untagging by BatchDeleteImage only when the image keeps another tag), and the
 * distribution API on Debian's registry (a tag added by putting the same manifest bytes; no
 * removal).
 */
class ImageTagsIT {
    private static LocalMoto moto;
    private static EcrClient ecr;

    @BeforeAll
    static void start(@TempDir Path dir) {
        moto = LocalMoto.start(dir.resolve("moto"));
        ecr =
                EcrClient.builder()
                        .endpointOverride(URI.create(moto.endpoint()))
                        .region(Region.US_EAST_1)
                        .credentialsProvider(
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("test", "test")))
                        .build();
    }

    @AfterAll
    static void stop() {
        ecr.close();
        moto.close();
    }

    /**
     * moto's digest is a hash of the layer digests, not of the manifest: each test image gets its
     * own layer ({@code body}: hex).
     */
    private static String pushToMoto(String repo, String tag, String body) {
        String manifest =
                "{\"schemaVersion\":2,\"mediaType\":\""
                        + MediaTypes.OCI_MANIFEST
                        + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                        + "\"digest\":\"sha256:"
                        + "a".repeat(64)
                        + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
                        + MediaTypes.OCI_LAYER_TAR
                        + "\","
                        + "\"digest\":\"sha256:"
                        + body.repeat(64 / body.length())
                        + "\",\"size\":3}]}";
        return ecr.putImage(
                        b ->
                                b.repositoryName(repo)
                                        .imageManifest(manifest)
                                        .imageManifestMediaType(MediaTypes.OCI_MANIFEST)
                                        .imageTag(tag))
                .image()
                .imageId()
                .imageDigest();
    }

    private static List<String> tagsOnMoto(String repo, String digest) {
        var d =
                ecr.describeImages(
                                b ->
                                        b.repositoryName(repo)
                                                .imageIds(
                                                        ImageIdentifier.builder()
                                                                .imageDigest(digest)
                                                                .build()))
                        .imageDetails();
        return d.isEmpty() ? List.of() : d.get(0).imageTags();
    }

    @Test
    void ecr_marksAnImage_untagsOnlyWhatKeepsAnotherTag_andNeverDeletesAnImage() {
        ecr.createRepository(b -> b.repositoryName("wordpress"));
        String v1 = pushToMoto("wordpress", "wp-6.4-v1", "1");
        String v2 = pushToMoto("wordpress", "wp-6.5-v2", "2");
        EcrImageTags tags = new EcrImageTags(() -> ecr);

        tags.add("wordpress", v1, "qm-release-one");
        tags.add(
                "wordpress",
                v1,
                "qm-release-one"); // idempotent: ECR's ImageAlreadyExists is success
        assertThat(tagsOnMoto("wordpress", v1))
                .containsExactlyInAnyOrder("wp-6.4-v1", "qm-release-one");
        assertThat(tags.tagged("wordpress", "qm-release-"))
                .isEqualTo(Map.of(v1, java.util.Set.of("qm-release-one")));

        assertThat(tags.remove("wordpress", v1, "qm-release-one"))
                .isEqualTo(ImageTags.Removal.REMOVED);
        assertThat(tagsOnMoto("wordpress", v1)).containsExactly("wp-6.4-v1");
        assertThat(tags.remove("wordpress", v1, "qm-release-one"))
                .isEqualTo(ImageTags.Removal.ABSENT);

        // an image whose only tag is the mark keeps it: BatchDeleteImage would delete the image
        tags.add("wordpress", v2, "qm-release-two");
        ecr.batchDeleteImage(
                b ->
                        b.repositoryName("wordpress")
                                .imageIds(ImageIdentifier.builder().imageTag("wp-6.5-v2").build()));
        assertThat(tags.remove("wordpress", v2, "qm-release-two"))
                .isEqualTo(ImageTags.Removal.ONLY_TAG);
        assertThat(tagsOnMoto("wordpress", v2)).containsExactly("qm-release-two");

        assertThatThrownBy(
                        () -> tags.add("wordpress", "sha256:" + "0".repeat(64), "qm-release-none"))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void distributionApi_marksWithTheSameManifestBytes_andCannotUntag() {
        LocalRegistry registry = LocalRegistries.shared();
        var image =
                OciImages.image(
                        List.of(
                                OciImages.layer(
                                        Map.of(
                                                "var/www/html/wp-includes/version.php",
                                                OciImages.versionPhp("6.4.3")))),
                        Map.of(),
                        List.of(),
                        "amd64");
        String digest = new OciImages.Pusher(registry.url()).push("marks", "wp-6.4-v1", image);
        RegistryClient reader = new RegistryClient(registry.url(), RegistryAuth.anonymous());
        OciImageTags tags =
                new OciImageTags(
                        reader, new RegistryWriter(registry.url(), RegistryAuth.anonymous()));

        tags.add("marks", digest, "qm-release-x");
        assertThat(reader.manifest("marks", "qm-release-x").digest()).isEqualTo(digest);
        assertThat(tags.tagged("marks", "qm-release-"))
                .isEqualTo(Map.of(digest, java.util.Set.of("qm-release-x")));
        assertThat(tags.remove("marks", digest, "qm-release-x"))
                .isEqualTo(ImageTags.Removal.UNSUPPORTED);
        assertThat(tags.remove("marks", digest, "qm-release-y"))
                .isEqualTo(ImageTags.Removal.ABSENT);
        assertThat(
                        new String(
                                reader.manifest("marks", "wp-6.4-v1").bytes(),
                                StandardCharsets.UTF_8))
                .contains("layers");
    }
}
