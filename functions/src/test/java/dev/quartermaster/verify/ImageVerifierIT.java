package dev.quartermaster.verify;

import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryException;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalRegistries;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier against Debian's docker-registry on 127.0.0.1, with images the test builds and
 * pushes.
 */
class ImageVerifierIT {
    private final LocalRegistry registry = LocalRegistries.shared();
    private final OciImages.Pusher pusher = new OciImages.Pusher(registry.url());
    private final RegistryClient client =
            new RegistryClient(registry.url(), RegistryAuth.anonymous());
    private final String repo = "wordpress-" + UUID.randomUUID().toString().substring(0, 8);

    private ImageVerifier verifier(VerifyRules rules) {
        return new ImageVerifier(client, rules);
    }

    @Test
    void verify_whenVersionFileInSecondToTopLayer_verifiedReadingOnlyTheTopTwoLayers() {
        OciImages.Image image = OciImages.wordpressLike("6.4.3", 3, 2_000_000, 500_000);
        String digest = pusher.push(repo, "wp-6.4-v1", image);

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-v1").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(v.found()).isEqualTo("6.4.3");
        long top2 = image.layers().get(4).bytes().length + image.layers().get(3).bytes().length;
        assertThat(v.bytesFetched()).isBetween(top2, top2 + image.manifest().bytes().length + 1024);
        assertThat(v.imageBytes()).isEqualTo(image.compressedSize());
        assertThat(v.bytesFetched()).isLessThan(v.imageBytes() / 5);
    }

    @Test
    void
            recheck_whatBinQmVerifyRuns_recordsTheVerdictOfEachTag_theBrokenPromiseLast_andTheSignatureStep() {
        String digest =
                pusher.push(repo, "wp-6.4-v1", OciImages.wordpressLike("6.4.3", 1, 10_000, 0));
        var ledger = new dev.quartermaster.ledger.InMemoryLedgerStore();
        var alerts = new dev.quartermaster.testutils.RecordingAlerts();
        ledger.recordVerification(
                repo,
                digest,
                new dev.quartermaster.ledger.ImageRecord.Verification(
                        ImageVerdict.VERIFIED,
                        "6.4",
                        "6.4.3",
                        "ok",
                        1,
                        1,
                        java.time.Instant.parse("2026-11-01T00:00:00Z")));
        var service =
                new VerificationService(
                        verifier(VerifyRules.defaults()),
                        ledger,
                        new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                        alerts,
                        java.time.Clock.systemUTC());

        var v =
                service.recheck(
                        repo,
                        digest,
                        java.util.List.of("wp-6.6-v5", "wp-6.4-v1"),
                        VerifyBudget.of(java.time.Duration.ofMinutes(1)));

        var recorded = ledger.image(repo, digest).orElseThrow().verification();
        assertThat(recorded.verdict())
                .as("the tag whose promise the content breaks is what the ledger shows")
                .isEqualTo(ImageVerdict.MISMATCH);
        assertThat(recorded.promised()).isEqualTo("6.6");
        assertThat(recorded.at()).isAfter(java.time.Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(v.verdict().kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.signature()).as("the signature gate is off here").isNull();
        assertThat(alerts.kinds()).containsExactly("MISMATCH");
    }

    @Test
    void verify_whenTagPromises64ButImageHolds655_mismatch() {
        String digest =
                pusher.push(repo, "wp-6.4-v3", OciImages.wordpressLike("6.5.5", 1, 10_000, 0));

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-v3").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.promised()).isEqualTo("6.4");
        assertThat(v.found()).isEqualTo("6.5.5");
        assertThat(v.reason()).contains("layer 2 of 3");
    }

    @Test
    void verify_whenNewerLayerWhitesOutTheFile_unverifiableAndLowerLayersNotRead() {
        var base =
                OciImages.layer(Map.of("usr/lib/libbig.so", OciImages.randomBytes(3_000_000, 7)));
        var wp =
                OciImages.layer(
                        Map.of(
                                "usr/src/wordpress/wp-includes/version.php",
                                OciImages.versionPhp("6.4.3")));
        var wipe =
                OciImages.layer(
                        Map.of("usr/src/wordpress/wp-includes/.wh.version.php", new byte[0]));
        OciImages.Image image =
                OciImages.image(List.of(base, wp, wipe), Map.of(), List.of(), "amd64");
        String digest = pusher.push(repo, "wp-6.4-v9", image);

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-v9").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("whiteout").contains("layer 3 of 3");
        assertThat(v.bytesFetched()).isLessThan(100_000);
    }

    @Test
    void verify_whenLayersAreZstdCompressed_readsThem() {
        var base =
                OciImages.layer(
                        Map.of("usr/lib/libz.so", OciImages.randomBytes(200_000, 11)), true);
        var wp =
                OciImages.layer(
                        Map.of(
                                "usr/src/wordpress/wp-includes/version.php",
                                OciImages.versionPhp("6.4.2")),
                        true);
        String digest =
                pusher.push(
                        repo,
                        "wp-6.4-zstd",
                        OciImages.image(List.of(base, wp), Map.of(), List.of(), "amd64"));

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-zstd").verdict();

        assertThat(wp.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        assertThat(v.kind()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(v.found()).isEqualTo("6.4.2");
        assertThat(v.bytesFetched()).isLessThan(base.bytes().length);
    }

    @Test
    void verify_whenFileMissingEverywhere_unverifiable() {
        var base =
                OciImages.layer(
                        Map.of("etc/os-release", "ID=debian\n".getBytes(StandardCharsets.UTF_8)));
        String digest =
                pusher.push(
                        repo,
                        "wp-6.4-empty",
                        OciImages.image(List.of(base), Map.of(), List.of(), "amd64"));

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-empty").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("none of the 1 layers");
    }

    @Test
    void verify_labelRule_readsOnlyTheConfig() {
        VerifyRules rules =
                VerifyRules.parse(
                        "[{\"repository\":\"*\",\"tagPattern\":\"^v(?<version>[0-9.]+)$\","
                                + "\"source\":\"label\",\"key\":\"org.opencontainers.image.version\"}]");
        var layer = OciImages.layer(Map.of("app.bin", OciImages.randomBytes(1_000_000, 3)));
        OciImages.Image image =
                OciImages.image(
                        List.of(layer),
                        Map.of("org.opencontainers.image.version", "2.3.1"),
                        List.of(),
                        "amd64");
        String digest = pusher.push(repo, "v2.3", image);

        Verdict v = verifier(rules).verify(repo, digest, "v2.3").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(v.found()).isEqualTo("2.3.1");
        assertThat(v.bytesFetched())
                .isEqualTo(image.config().bytes().length + image.manifest().bytes().length);
    }

    @Test
    void verify_envRule_withRegex() {
        VerifyRules rules =
                VerifyRules.parse(
                        "[{\"repository\":\"*\",\"tagPattern\":\"^wp-(?<version>[0-9.]+)-.*$\","
                                + "\"source\":\"env\",\"key\":\"WORDPRESS_VERSION\",\"regex\":\"^(?<version>[0-9.]+)\"}]");
        var layer = OciImages.layer(Map.of("x", new byte[] {1}));
        String digest =
                pusher.push(
                        repo,
                        "wp-6.5-v2",
                        OciImages.image(
                                List.of(layer),
                                Map.of(),
                                List.of("PATH=/usr/bin", "WORDPRESS_VERSION=6.4.3"),
                                "amd64"));

        Verdict v = verifier(rules).verify(repo, digest, "wp-6.5-v2").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.found()).isEqualTo("6.4.3");
    }

    @Test
    void verify_twoPlatformIndex_verdictIsTheWorstPlatform() {
        OciImages.Image amd = OciImages.wordpressLike("6.4.3", 1, 10_000, 0);
        OciImages.Image arm64 = armOf(OciImages.wordpressLike("6.5.5", 1, 10_000, 0));
        String index = pusher.pushIndex(repo, "wp-6.4-v1", List.of(amd, arm64));

        ImageVerifier.Report report =
                verifier(VerifyRules.defaults()).verify(repo, index, "wp-6.4-v1");

        assertThat(report.verdict().kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(report.verdict().reason()).startsWith("linux/arm64");
        assertThat(report.verdict().platforms())
                .extracting(Verdict::kind)
                .containsExactly(ImageVerdict.VERIFIED, ImageVerdict.MISMATCH);
        assertThat(report.children())
                .containsExactly(amd.manifest().digest(), arm64.manifest().digest());
    }

    @Test
    void verify_twoPlatformIndexBothGood_verified() {
        String index =
                pusher.pushIndex(
                        repo,
                        "wp-6.4-v2",
                        List.of(
                                OciImages.wordpressLike("6.4.3", 1, 10_000, 0),
                                armOf(OciImages.wordpressLike("6.4.3", 1, 10_000, 1))));

        assertThat(
                        verifier(VerifyRules.defaults())
                                .verify(repo, index, "wp-6.4-v2")
                                .verdict()
                                .kind())
                .isEqualTo(ImageVerdict.VERIFIED);
    }

    @Test
    void verify_whenLayerCorruptedInStorage_isUnverifiableNamingTheDigestMismatch()
            throws Exception {
        OciImages.Image image =
                OciImages.wordpressLike("6.4.3", 1, 10_000, 4321); // content no other test shares
        String digest = pusher.push(repo, "wp-6.4-bad", image);
        var versionLayer = image.layers().get(1);
        byte[] corrupt = versionLayer.bytes().clone();
        corrupt[corrupt.length / 2] ^= 0x5a;
        Files.write(registry.blobFile(versionLayer.digest()), corrupt);

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "wp-6.4-bad").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("digest mismatch").contains(versionLayer.digest());
    }

    @Test
    void verify_whenNoRuleMatchesTag_noRuleWithoutReadingLayers() {
        OciImages.Image image = OciImages.wordpressLike("6.4.3", 1, 500_000, 0);
        String digest = pusher.push(repo, "latest", image);

        Verdict v = verifier(VerifyRules.defaults()).verify(repo, digest, "latest").verdict();

        assertThat(v.kind()).isEqualTo(ImageVerdict.NO_RULE);
        assertThat(v.bytesFetched()).isEqualTo(image.manifest().bytes().length);
    }

    @Test
    void manifest_whenDigestAskedForDiffers_rejects() {
        String digest =
                pusher.push(repo, "wp-6.4-x", OciImages.wordpressLike("6.4.3", 1, 1_000, 0));
        String other = "sha256:" + "0".repeat(64);

        assertThatThrownBy(() -> client.manifest(repo, other))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not found");
        assertThat(client.manifest(repo, digest).digest()).isEqualTo(digest);
    }

    private static OciImages.Image armOf(OciImages.Image image) {
        // same layers, arm64 config: a distinct manifest digest
        return OciImages.image(
                image.layers(), new LinkedHashMap<>(Map.of("arch", "arm64")), List.of(), "arm64");
    }
}
