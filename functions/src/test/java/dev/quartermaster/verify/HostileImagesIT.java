package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalRegistries;
import dev.quartermaster.testutils.RawTar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of hostile images, built by the test and pushed to Debian's docker-registry: each must
 * end in a recorded verdict within the budget, never in an exception, an OOM or a wrong VERIFIED.
 */
class HostileImagesIT {
    private static final String TARGET = "usr/src/wordpress/wp-includes/version.php";
    private final LocalRegistry registry = LocalRegistries.shared();
    private final OciImages.Pusher pusher = new OciImages.Pusher(registry.url());
    private final RegistryClient client =
            new RegistryClient(registry.url(), RegistryAuth.anonymous());
    private final ImageVerifier verifier = new ImageVerifier(client, VerifyRules.defaults());
    private final String repo = "hostile-" + UUID.randomUUID().toString().substring(0, 8);

    private static OciImages.Blob gzipLayer(byte[] tar) {
        return OciImages.Blob.of(gzip(tar), OciImages.LAYER);
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static OciImages.Blob wordpress(String version) {
        return OciImages.layer(Map.of(TARGET, OciImages.versionPhp(version)));
    }

    private Verdict verify(String tag, List<OciImages.Blob> layers) {
        return verify(tag, layers, VerifyBudget.of(Duration.ofMinutes(2)));
    }

    private Verdict verify(String tag, List<OciImages.Blob> layers, VerifyBudget budget) {
        String digest =
                pusher.push(repo, tag, OciImages.image(layers, Map.of(), List.of(), "amd64"));
        return verifier.verify(repo, digest, tag, budget).verdict();
    }

    private static VerifyBudget small(long layerBytes, long imageBytes) {
        return new VerifyBudget(
                new VerifyBudget.Limits(layerBytes, imageBytes, 64 * 1024, 16, 4),
                Clock.systemUTC().instant().plus(Duration.ofMinutes(2)),
                Clock.systemUTC());
    }

    @Test
    void decompressionBomb_stopsAtTheLayerCapWithoutReadingTheWholeLayer() throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(packed, 1 << 16)) {
            RawTar.zeroFile(gz, "bomb.bin", 512L << 20); // 512 MiB of zeros: ~0.5 MB compressed
        }
        OciImages.Blob bomb = OciImages.Blob.of(packed.toByteArray(), OciImages.LAYER);

        Verdict v =
                verify(
                        "wp-6.4-bomb",
                        List.of(wordpress("6.4.3"), bomb),
                        small(32L << 20, 1L << 30));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("per-layer limit");
        assertThat(v.bytesFetched())
                .isLessThan(bomb.bytes().length); // stopped at the cap, not read to the end
    }

    @Test
    void layersAddingUpPastTheImageCap_stopAtTheImageCap() {
        byte[] filler = new RawTar().file("a.bin", new byte[3 << 20]).end();
        Verdict v =
                verify(
                        "wp-6.4-wide",
                        List.of(wordpress("6.4.3"), gzipLayer(filler), gzipLayer(filler)),
                        small(4L << 20, 5L << 20));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("per-image limit");
    }

    @Test
    void gnuLongNameClaimingGigabytes_isRefusedBeforeItIsRead() {
        byte[] tar = new RawTar().headerOnly("././@LongLink", 'L', 4L << 30).end();

        Verdict v = verify("wp-6.4-longname", List.of(wordpress("6.4.3"), gzipLayer(tar)));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("GNU long name claims 4294967296 bytes");
    }

    @Test
    void paxHeaderClaimingGigabytes_isRefusedBeforeItIsRead() {
        byte[] tar = new RawTar().headerOnly("PaxHeaders/x", 'x', 1L << 33).end();

        Verdict v = verify("wp-6.4-pax", List.of(wordpress("6.4.3"), gzipLayer(tar)));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("PAX extended header claims");
    }

    @Test
    void corruptZstdFrame_isUnverifiableWithAReason() {
        byte[] garbage = {
            0x28,
            (byte) 0xB5,
            0x2F,
            (byte) 0xFD,
            0x00,
            0x50,
            0x01,
            0x02,
            0x03,
            0x04,
            0x05,
            0x06,
            0x07,
            0x08
        };
        OciImages.Blob layer = OciImages.Blob.of(garbage, OciImages.LAYER_ZSTD);

        Verdict v = verify("wp-6.4-zstd-corrupt", List.of(wordpress("6.4.3"), layer));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("layer 2 of 2").contains("could not be read");
    }

    @Test
    void zstdFrameDeclaringA2GiBWindow_isUnverifiableWithAReason() {
        // frame header: magic, descriptor (no single segment), window descriptor exponent 21 ->
        // 2^31 bytes
        byte[] frame = {
            0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x00, (byte) (21 << 3), 0x01, 0x00, 0x00, 0x41
        };
        OciImages.Blob layer = OciImages.Blob.of(frame, OciImages.LAYER_ZSTD);

        Verdict v = verify("wp-6.4-zstd-window", List.of(wordpress("6.4.3"), layer));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("could not be read");
    }

    @Test
    void hugeVersionString_isNotStoredAsAVersion() {
        String huge = "6.4." + "9".repeat(600_000);
        Verdict v =
                verify(
                        "wp-6.4-huge",
                        List.of(OciImages.layer(Map.of(TARGET, OciImages.versionPhp(huge)))));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.found()).isNull();
        assertThat(v.reason()).contains("is not a version").hasSizeLessThanOrEqualTo(1000);
    }

    @Test
    void versionWithLineBreaks_isNotAVersionAndNeverReachesASubject() {
        Verdict v =
                verify(
                        "wp-6.4-crlf",
                        List.of(
                                OciImages.layer(
                                        Map.of(
                                                TARGET,
                                                OciImages.versionPhp(
                                                        "6.4.3\r\nBcc: x@example.com")))));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).doesNotContain("\r").doesNotContain("\n");
        var alert = VerificationService.alert(repo, "wp-6.4-crlf", "sha256:" + "a".repeat(64), v);
        assertThat(alert.subject())
                .doesNotContain("\r")
                .doesNotContain("\n")
                .hasSizeLessThanOrEqualTo(100);
    }

    @Test
    void upperLayerWithDotSegmentPath_isSeenAsTheSameFile() {
        OciImages.Blob upper =
                OciImages.layer(
                        Map.of(
                                "usr/src/wordpress/./wp-includes/version.php",
                                OciImages.versionPhp("6.5.5")));

        Verdict v = verify("wp-6.4-dot", List.of(wordpress("6.4.3"), upper));

        assertThat(v.kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.found()).isEqualTo("6.5.5");
    }

    @Test
    void upperLayerWithDoubleSlashPath_isSeenAsTheSameFile() {
        OciImages.Blob upper =
                OciImages.layer(
                        Map.of(
                                "./usr/src//wordpress/wp-includes/../wp-includes/version.php",
                                OciImages.versionPhp("6.5.5")));

        Verdict v = verify("wp-6.4-slash", List.of(wordpress("6.4.3"), upper));

        assertThat(v.kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.found()).isEqualTo("6.5.5");
    }

    @Test
    void symlinkAtAParentPath_hidesTheLowerFile() {
        OciImages.Blob upper =
                gzipLayer(
                        new RawTar()
                                .symlink("usr/src/wordpress/wp-includes", "/opt/elsewhere")
                                .end());

        Verdict v = verify("wp-6.4-link", List.of(wordpress("6.4.3"), upper));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("symbolic link");
    }

    @Test
    void fileReplacedBySymlink_isNotVerifiedFromTheLowerLayer() {
        OciImages.Blob upper = gzipLayer(new RawTar().symlink(TARGET, "/tmp/forged.php").end());

        Verdict v = verify("wp-6.4-filelink", List.of(wordpress("6.4.3"), upper));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
    }

    @Test
    void duplicateEntriesInOneLayer_theLastOneWinsAsOnExtraction() {
        byte[] tar =
                new RawTar()
                        .file(TARGET, OciImages.versionPhp("6.4.3"))
                        .file(TARGET, OciImages.versionPhp("6.5.5"))
                        .end();

        Verdict v = verify("wp-6.4-dup", List.of(gzipLayer(tar)));

        assertThat(v.kind()).isEqualTo(ImageVerdict.MISMATCH);
        assertThat(v.found()).isEqualTo("6.5.5");
    }

    @Test
    void decoyIndex_aRealPlatformAnnotatedAsAttestationIsStillVerified() throws IOException {
        OciImages.Image honest =
                OciImages.image(List.of(wordpress("6.4.3")), Map.of(), List.of(), "amd64");
        OciImages.Image liar =
                OciImages.image(List.of(wordpress("6.5.5")), Map.of(), List.of(), "arm64");
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OciImages.INDEX);
        ArrayNode ms = index.putArray("manifests");
        for (OciImages.Image i : List.of(honest, liar)) {
            ObjectNode d = ms.addObject();
            d.put("mediaType", OciImages.MANIFEST);
            d.put("digest", i.manifest().digest());
            d.put("size", i.manifest().bytes().length);
            d.putObject("platform").put("os", "linux").put("architecture", i.architecture());
            if (i == liar) {
                d.putObject("annotations").put("vnd.docker.reference.type", "attestation-manifest");
            }
        }
        for (OciImages.Image i : List.of(honest, liar)) {
            pusher.blob(repo, i.config());
            i.layers().forEach(l -> pusher.blob(repo, l));
            pusher.manifest(repo, i.manifest().digest(), i.manifest());
        }
        OciImages.Blob idx = OciImages.Blob.of(json.writeValueAsBytes(index), OciImages.INDEX);
        pusher.manifest(repo, "wp-6.4-decoy", idx);

        ImageVerifier.Report report = verifier.verify(repo, idx.digest(), "wp-6.4-decoy");

        assertThat(report.children()).hasSize(2);
        assertThat(report.verdict().kind()).isEqualTo(ImageVerdict.MISMATCH);
    }

    @Test
    void tooManyLayers_isUnverifiableWithoutReadingThem() {
        List<OciImages.Blob> layers = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            layers.add(OciImages.layer(Map.of("f" + i, new byte[] {(byte) i})));
        }
        Verdict v = verify("wp-6.4-many", layers, small(1L << 20, 1L << 30));

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("20 layers");
        assertThat(v.bytesFetched()).isLessThan(5_000);
    }

    @Test
    void deadline_passedWhileReading_isUnverifiable() {
        VerifyBudget expired =
                new VerifyBudget(
                        VerifyBudget.Limits.defaults(),
                        Clock.systemUTC().instant().minusSeconds(1),
                        Clock.systemUTC());

        Verdict v = verify("wp-6.4-late", List.of(wordpress("6.4.3")), expired);

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("ran out of time");
    }

    @Test
    void everyHostileLayerAbove_stillLeavesAnHonestImageVerified() {
        Verdict v = verify("wp-6.4-honest", List.of(wordpress("6.4.3")));

        assertThat(v.kind()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(new String(v.found().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("6.4.3");
    }
}
