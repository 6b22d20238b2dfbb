package dev.quartermaster.archive;

import dev.quartermaster.common.Platform;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.Manifest;
import dev.quartermaster.registry.MediaTypes;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testkit.OciImages.Blob;
import dev.quartermaster.testkit.OciImages.Image;
import dev.quartermaster.testkit.Tools;
import dev.quartermaster.testutils.LocalBackends;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.LocalRegistries;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive against the real registry (Debian's docker-registry) and S3 (S3Mock), each byte
 * checked: restored images are compared with skopeo reading the target registry.
 */
class ImageArchiveIT {
    private static final int PART = 5 * 1024 * 1024;
    private static S3Client s3;
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final Platform platform =
            LocalLedger.platform(LocalLedger.freshTableSettings(), alerts);
    private final String prefix = "t-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    private final S3ArchiveLayout layout =
            new S3ArchiveLayout(
                    () -> s3, LocalBackends.ARCHIVE_BUCKET, prefix, PART, null, Long.MAX_VALUE);
    private final LocalRegistry source = LocalRegistries.shared();
    private final OciImages.Pusher pusher = new OciImages.Pusher(source.url());
    private final RegistryClient sourceClient =
            new RegistryClient(source.url(), RegistryAuth.anonymous());
    private final ArchiveService service =
            new ArchiveService(
                    new ImageArchiver(
                            ImageSource.fromRegistry(sourceClient),
                            layout,
                            ImageArchiver.Limits.defaults(),
                            Clock.systemUTC()),
                    LedgerRoot.store(platform),
                    IdempotencyRoot.store(platform),
                    alerts,
                    Clock.systemUTC());

    @BeforeAll
    static void s3() {
        s3 = LocalBackends.s3().client();
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    private static String repo(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ArchiveService.Outcome archive(String eventId, String repo, String digest, String tag) {
        return service.archivePush(
                        eventId, repo, digest, tag, Instant.now().plus(Duration.ofMinutes(5)))
                .orElseThrow();
    }

    private static Image image(String version, int baseLayers, int bytesPerLayer) {
        return OciImages.wordpressLike(version, baseLayers, bytesPerLayer, 0);
    }

    @Test
    void singlePlatformImage_deletedFromTheRegistry_isRestoredToAFreshRegistryWithTheSameDigest(
            @TempDir Path tmp) throws Exception {
        String repo = repo("wordpress");
        String digest = pusher.push(repo, "wp-6.4-v1", image("6.4.3", 2, 50_000));

        ArchiveService.Outcome o = archive("e1", repo, digest, "wp-6.4-v1");

        assertThat(o.ok()).isTrue();
        assertThat(o.result().blobs()).isEqualTo(1 + 1 + 4); // manifest, config, 4 layers
        assertThat(
                        LedgerRoot.store(platform)
                                .image(repo, digest)
                                .orElseThrow()
                                .archive()
                                .complete())
                .isTrue();
        var entry = layout.readIndex().index().find(repo + ":wp-6.4-v1").orElseThrow();
        assertThat(entry.digest()).isEqualTo(digest);
        assertThat(entry.complete()).isTrue();
        deleteManifest(source, repo, digest);
        assertThatThrownBy(() -> sourceClient.manifest(repo, "wp-6.4-v1"))
                .hasMessageContaining("not found");

        try (LocalRegistry fresh = LocalRegistry.filesystem(tmp.resolve("fresh"))) {
            var result =
                    restorer(fresh)
                            .restore(
                                    ImageRestorer.resolve(
                                            layout.readIndex().index(), repo + ":wp-6.4-v1"),
                                    repo,
                                    "wp-6.4-v1",
                                    ImageArchiver.Progress.NONE);

            assertThat(result.targetDigest()).isEqualTo(digest);
            assertThat(skopeoDigest(fresh, repo + ":wp-6.4-v1")).isEqualTo(digest);
            var again =
                    restorer(fresh).restore(entry, repo, "wp-6.4-v1", ImageArchiver.Progress.NONE);
            assertThat(again.blobsPushed()).isZero();
            assertThat(again.blobsSkipped()).isEqualTo(5);
        }
    }

    @Test
    void
            aSignedImage_isFoundThroughTheReferrersTagSchema_archivedWithItsSignature_andTheRestoredSignatureStillVerifies(
                    @TempDir Path tmp) throws Exception {
        String repo = repo("signed");
        String digest = pusher.push(repo, "wp-6.4-v1", image("6.4.3", 1, 10_000));
        var signer =
                new dev.quartermaster.testkit.NotationSigner(
                        dev.quartermaster.testkit.NotationSigner.chain("archive-it"),
                        "arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm");
        Manifest image = sourceClient.manifest(repo, digest);
        byte[] envelope = signer.sign(image.mediaType(), digest, image.size());
        pusher.blob(repo, OciImages.Blob.of(envelope, "application/jose+json"));
        pusher.blob(
                repo,
                OciImages.Blob.of(
                        "{}".getBytes(StandardCharsets.UTF_8),
                        "application/vnd.oci.empty.v1+json"));
        byte[] sig =
                dev.quartermaster.testkit.NotationSigner.signatureManifest(
                        OciImages.sha256(envelope),
                        envelope.length,
                        image.mediaType(),
                        digest,
                        image.size(),
                        java.time.Instant.now());
        RegistryWriter writer = new RegistryWriter(source.url(), RegistryAuth.anonymous());
        String sigDigest =
                writer.putManifest(repo, OciImages.sha256(sig), MediaTypes.OCI_MANIFEST, sig);
        assertThat(sourceClient.hasReferrersApi(repo, digest))
                .as("Debian's registry has no referrers API")
                .isFalse();
        dev.quartermaster.registry.ReferrersTagSchema.add(
                sourceClient, writer, repo, digest, sourceClient.manifest(repo, sigDigest));
        var policy =
                new dev.quartermaster.signature.TrustPolicy(
                        List.of(signer.chain().root()),
                        List.of(signer.profileArn()),
                        List.of("*"),
                        true);
        java.util.function.Function<RegistryClient, dev.quartermaster.signature.SignatureVerdict>
                check =
                        c ->
                                new dev.quartermaster.signature.SignatureService(
                                                new dev.quartermaster.signature
                                                        .RegistrySignatureSource(c),
                                                dev.quartermaster.signature.SigningStatus.none(),
                                                new dev.quartermaster.signature.NotationVerifier(
                                                        policy, q -> List.of()),
                                                Clock.systemUTC(),
                                                d -> {})
                                        .check(repo, digest, Duration.ZERO);
        assertThat(check.apply(sourceClient).state())
                .isEqualTo(dev.quartermaster.signature.SignatureVerdict.State.SIGNED);

        archive("s1", repo, digest, "wp-6.4-v1");
        deleteManifest(source, repo, digest);
        try (LocalRegistry fresh = LocalRegistry.filesystem(tmp.resolve("fresh"))) {
            var entry = ImageRestorer.resolve(layout.readIndex().index(), repo + ":wp-6.4-v1");
            restorer(fresh).restore(entry, repo, "wp-6.4-v1", ImageArchiver.Progress.NONE);

            RegistryClient restored = new RegistryClient(fresh.url(), RegistryAuth.anonymous());
            assertThat(restored.referrers(repo, digest))
                    .extracting(dev.quartermaster.registry.Descriptor::digest)
                    .containsExactly(sigDigest);
            var verdict = check.apply(restored);
            assertThat(verdict.state())
                    .as(verdict.toString())
                    .isEqualTo(dev.quartermaster.signature.SignatureVerdict.State.SIGNED);
            assertThat(verdict.identity()).startsWith(signer.profileArn());
            restorer(fresh)
                    .restore(
                            entry,
                            repo,
                            "wp-6.4-v1",
                            ImageArchiver.Progress.NONE); // again: the index lists it once
            assertThat(restored.referrers(repo, digest)).hasSize(1);
        }
    }

    @Test
    void dockerSchema2Image_isArchivedAndRestoredByteExact(@TempDir Path tmp) throws Exception {
        String repo = repo("docker-v2");
        Blob layer =
                new Blob(
                        OciImages.layer(
                                        Map.of(
                                                "etc/os-release",
                                                "ID=debian\n".getBytes(StandardCharsets.UTF_8)))
                                .bytes(),
                        null,
                        "application/vnd.docker.image.rootfs.diff.tar.gzip");
        layer = Blob.of(layer.bytes(), layer.mediaType());
        Blob config =
                Blob.of(
                        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                                .getBytes(StandardCharsets.UTF_8),
                        "application/vnd.docker.container.image.v1+json");
        String manifestJson =
                "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
                        + "   \"config\": {\"mediaType\": \""
                        + config.mediaType()
                        + "\", \"size\": "
                        + config.bytes().length
                        + ", \"digest\": \""
                        + config.digest()
                        + "\"},\n"
                        + "   \"layers\": [{\"mediaType\": \""
                        + layer.mediaType()
                        + "\", \"size\": "
                        + layer.bytes().length
                        + ", \"digest\": \""
                        + layer.digest()
                        + "\"}]\n}";
        Blob manifest =
                Blob.of(
                        manifestJson.getBytes(StandardCharsets.UTF_8),
                        "application/vnd.docker.distribution.manifest.v2+json");
        pusher.blob(repo, config);
        pusher.blob(repo, layer);
        pusher.manifest(repo, "v1", manifest);

        ArchiveService.Outcome o = archive("d1", repo, manifest.digest(), "v1");

        assertThat(o.ok()).isTrue();
        assertThat(o.result().mediaType())
                .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        try (var in = layout.openBlob(manifest.digest())) {
            assertThat(in.readAllBytes())
                    .isEqualTo(manifest.bytes()); // the whitespace of the original, not a
            // re-serialisation
        }
        try (LocalRegistry fresh = LocalRegistry.filesystem(tmp.resolve("fresh"))) {
            restorer(fresh)
                    .restore(
                            ImageRestorer.resolve(layout.readIndex().index(), repo + ":v1"),
                            repo,
                            "v1",
                            ImageArchiver.Progress.NONE);
            assertThat(skopeoDigest(fresh, repo + ":v1")).isEqualTo(manifest.digest());
        }
    }

    @Test
    void twoPlatformIndex_archivesEveryPlatform_andRestoresTheIndexDigest(@TempDir Path tmp)
            throws Exception {
        String repo = repo("multi");
        Image amd = image("6.5.2", 1, 20_000);
        Image arm =
                OciImages.image(
                        List.of(
                                OciImages.layer(
                                        Map.of(
                                                "usr/src/wordpress/wp-includes/version.php",
                                                OciImages.versionPhp("6.5.2")))),
                        Map.of(),
                        List.of(),
                        "arm64");
        String index = pusher.pushIndex(repo, "wp-6.5-v1", List.of(amd, arm));

        ArchiveService.Outcome o = archive("m1", repo, index, "wp-6.5-v1");

        assertThat(o.ok()).isTrue();
        assertThat(o.result().platforms()).isEqualTo("linux/amd64,linux/arm64");
        assertThat(o.result().blobs())
                .isEqualTo(1 + 2 + 2 + amd.layers().size() + arm.layers().size());
        try (LocalRegistry fresh = LocalRegistry.filesystem(tmp.resolve("fresh"))) {
            restorer(fresh)
                    .restore(
                            ImageRestorer.resolve(layout.readIndex().index(), repo + ":wp-6.5-v1"),
                            repo,
                            "wp-6.5-v1",
                            ImageArchiver.Progress.NONE);
            assertThat(skopeoDigest(fresh, repo + ":wp-6.5-v1")).isEqualTo(index);
            assertThat(skopeoDigest(fresh, repo + "@" + arm.manifest().digest()))
                    .isEqualTo(arm.manifest().digest());
        }
    }

    @Test
    void twoTagsSharingABase_storeTheBaseOnce_andSoDoesAnotherRepository() {
        String repo = repo("shared");
        Image v1 = image("6.4.3", 3, 200_000);
        Image v2 =
                image(
                        "6.5.2", 3,
                        200_000); // the same three base layers (same seeds), other top layers
        String d1 = pusher.push(repo, "wp-6.4-v1", v1);
        String d2 = pusher.push(repo, "wp-6.5-v2", v2);
        long base = v1.layers().subList(0, 3).stream().mapToLong(b -> b.bytes().length).sum();

        var first = archive("s1", repo, d1, "wp-6.4-v1").result();
        var second = archive("s2", repo, d2, "wp-6.5-v2").result();

        assertThat(first.bytesDeduplicated()).isZero();
        assertThat(second.bytesDeduplicated()).isEqualTo(base);
        assertThat(second.bytesStored()).isEqualTo(second.bytesTotal() - base);
        long stored = layout.blobs().stream().mapToLong(ArchiveLayout.BlobInfo::size).sum();
        assertThat(stored).isEqualTo(first.bytesTotal() + second.bytesTotal() - base);

        String other = repo("copy");
        pusher.push(other, "wp-6.4-v1", v1);
        var third = archive("s3", other, d1, "wp-6.4-v1").result();
        assertThat(third.bytesStored()).isZero();
        assertThat(third.bytesDeduplicated()).isEqualTo(third.bytesTotal());
        assertThat(layout.readIndex().index().find(other + ":wp-6.4-v1")).isPresent();
    }

    @Test
    void redeliveredEvent_isNotCopiedTwice_andATagMoveKeepsTheOldImageArchived() {
        String repo = repo("redeliver");
        String d1 = pusher.push(repo, "latest", image("6.4.3", 1, 10_000));
        archive("r1", repo, d1, "latest");
        List<ArchiveLayout.BlobInfo> before = layout.blobs();

        assertThat(service.archivePush("r1", repo, d1, "latest", Instant.now().plusSeconds(60)))
                .isEmpty();
        assertThat(layout.blobs())
                .extracting(ArchiveLayout.BlobInfo::lastModified)
                .containsExactlyInAnyOrderElementsOf(
                        before.stream().map(ArchiveLayout.BlobInfo::lastModified).toList());

        String d2 = pusher.push(repo, "latest", image("6.5.2", 1, 10_000));
        archive("r2", repo, d2, "latest");
        var index = layout.readIndex().index();
        assertThat(index.find(repo + ":latest").orElseThrow().digest()).isEqualTo(d2);
        assertThat(index.find(repo + "@" + d1))
                .as("the image the tag left stays archived")
                .isPresent();
    }

    @Test
    void blobLargerThanOnePart_goesUpInPartsAndComesBackExact(@TempDir Path tmp) throws Exception {
        String repo = repo("large");
        byte[] big = OciImages.randomBytes(12 * 1024 * 1024 + 123, 77);
        Image img =
                OciImages.image(
                        List.of(OciImages.layer(Map.of("big.bin", big))),
                        Map.of(),
                        List.of(),
                        "amd64");
        String digest = pusher.push(repo, "big", img);
        Blob layer = img.layers().get(0);
        assertThat((long) layer.bytes().length).isGreaterThan(2L * PART);

        assertThat(archive("b1", repo, digest, "big").ok()).isTrue();

        try (var in = layout.openBlob(layer.digest())) {
            assertThat(in.readAllBytes()).isEqualTo(layer.bytes());
        }
        try (LocalRegistry fresh = LocalRegistry.filesystem(tmp.resolve("fresh"))) {
            restorer(fresh)
                    .restore(
                            ImageRestorer.resolve(layout.readIndex().index(), repo + ":big"),
                            repo,
                            "big",
                            ImageArchiver.Progress.NONE);
            assertThat(skopeoDigest(fresh, repo + ":big")).isEqualTo(digest);
        }
    }

    @Test
    void bytesThatDoNotHashToTheirDigest_leaveNothingStored() {
        byte[] bytes = OciImages.randomBytes(PART * 2 + 10, 5);
        String wrong = OciImages.sha256("other".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(
                        () ->
                                layout.putBlob(
                                        wrong,
                                        bytes.length,
                                        new java.io.ByteArrayInputStream(bytes)))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("digest mismatch");
        assertThatThrownBy(
                        () ->
                                layout.putBlob(
                                        wrong,
                                        3,
                                        new java.io.ByteArrayInputStream(
                                                "abc".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ArchiveException.class);

        // a source that breaks while the third part is read, its first parts already uploading in
        // parallel
        byte[] three = OciImages.randomBytes(PART * 3 + 10, 6);
        java.io.InputStream breaking =
                new java.io.FilterInputStream(new java.io.ByteArrayInputStream(three)) {
                    private long read;

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        if (read > 2L * PART + 100) {
                            throw new java.io.IOException("connection reset by the registry");
                        }
                        int n = super.read(b, off, Math.min(len, 64 * 1024));
                        read += Math.max(n, 0);
                        return n;
                    }
                };
        assertThatThrownBy(() -> layout.putBlob(OciImages.sha256(three), three.length, breaking))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("connection reset");

        assertThat(layout.blob(wrong)).isEmpty();
        assertThat(layout.blobs()).isEmpty();
        // every multipart upload was aborted once its parts in flight had ended: nothing is billed
        // for, nothing lands later
        assertThat(
                        s3.listMultipartUploads(
                                        b -> b.bucket(LocalBackends.ARCHIVE_BUCKET).prefix(prefix))
                                .uploads())
                .isEmpty();
    }

    @Test
    void scrub_findsACorruptedBlob_quarantinesIt_recordsTheImageIncomplete_andAlerts() {
        String repo = repo("scrub");
        Image img = image("6.4.3", 1, 30_000);
        String digest = pusher.push(repo, "v1", img);
        archive("c1", repo, digest, "v1");
        String victim = img.layers().get(0).digest();
        String key = prefix + "blobs/sha256/" + victim.substring(7);
        byte[] rotten = img.layers().get(0).bytes().clone();
        rotten[rotten.length / 2] ^= 1;
        s3.putObject(
                b ->
                        b.bucket(LocalBackends.ARCHIVE_BUCKET)
                                .key(key)
                                .metadata(Map.of("sha256", victim.substring(7))),
                RequestBody.fromBytes(rotten));
        ArchiveUpkeep upkeep =
                new ArchiveUpkeep(layout, LedgerRoot.store(platform), alerts, Clock.systemUTC());

        var r = upkeep.scrub(100, Instant.now().plusSeconds(120), new Random(1));

        assertThat(r.corrupt()).containsExactly(victim);
        assertThat(r.incomplete()).hasSize(1).first().asString().contains(repo + ":v1");
        assertThat(layout.blob(victim)).isEmpty();
        assertThat(
                        LedgerRoot.store(platform)
                                .image(repo, digest)
                                .orElseThrow()
                                .archive()
                                .complete())
                .isFalse();
        assertThat(alerts.kinds()).contains("ARCHIVE_SCRUB");

        archive(
                "c2", repo, digest,
                "v1"); // the next archive (or the reconcile) copies it again from the registry
        assertThat(upkeep.scrub(100, Instant.now().plusSeconds(120), new Random(1)).corrupt())
                .isEmpty();
        assertThat(
                        LedgerRoot.store(platform)
                                .image(repo, digest)
                                .orElseThrow()
                                .archive()
                                .complete())
                .isTrue();
    }

    @Test
    void prune_dropsImagesPastRetention_andKeepsBlobsStillReferenced() {
        String repo = repo("prune");
        Image old = image("6.4.3", 2, 40_000);
        Image kept = image("6.5.2", 2, 40_000); // shares the two base layers
        String dOld = pusher.push(repo, "wp-6.4-v1", old);
        String dKept = pusher.push(repo, "wp-6.5-v2", kept);
        archive("p1", repo, dOld, "wp-6.4-v1");
        archive("p2", repo, dKept, "wp-6.5-v2");
        ImageLedger ledger = new ImageLedger(LedgerRoot.store(platform), alerts);
        Instant longAgo = Instant.now().minus(Duration.ofDays(200));
        ledger.record(
                new ImageAction(
                        "push-old",
                        longAgo.minusSeconds(60),
                        ImageAction.Kind.PUSH,
                        true,
                        repo,
                        dOld,
                        "wp-6.4-v1",
                        null,
                        null));
        ledger.record(
                new ImageAction(
                        "delete-old",
                        longAgo,
                        ImageAction.Kind.DELETE,
                        true,
                        repo,
                        dOld,
                        null,
                        null,
                        null));
        ArchiveUpkeep upkeep =
                new ArchiveUpkeep(layout, LedgerRoot.store(platform), alerts, Clock.systemUTC());

        var r = upkeep.prune(Duration.ofDays(90), Duration.ZERO);

        assertThat(r.entriesRemoved()).isEqualTo(1);
        List<String> left = layout.blobs().stream().map(ArchiveLayout.BlobInfo::digest).toList();
        assertThat(left)
                .doesNotContain(
                        dOld,
                        old.config().digest(),
                        old.layers().get(2).digest(),
                        old.layers().get(3).digest());
        assertThat(left)
                .contains(dKept, kept.config().digest())
                .containsAll(kept.layers().stream().map(Blob::digest).toList());
        assertThat(r.blobsDeleted()).isEqualTo(4);
        assertThat(upkeep.scrub(100, Instant.now().plusSeconds(60), new Random(2)).incomplete())
                .isEmpty();

        var again = upkeep.prune(Duration.ofDays(90), Duration.ZERO);
        assertThat(again.blobsDeleted()).isZero();
    }

    @Test
    void prune_withinTheGracePeriod_deletesNothing() {
        String repo = repo("grace");
        String d = pusher.push(repo, "v1", image("6.4.3", 1, 10_000));
        archive("g1", repo, d, "v1");
        ImageArchiver.updateIndex(
                layout, i -> ArchiveIndex.empty()); // as if every image had been forgotten

        var r =
                new ArchiveUpkeep(layout, LedgerRoot.store(platform), alerts, Clock.systemUTC())
                        .prune(Duration.ofDays(90), Duration.ofHours(48));

        assertThat(r.blobsDeleted()).isZero();
        assertThat(r.youngUnreferenced()).isEqualTo(5);
    }

    @Test
    void reconcile_archivesWhatTheArchiveLacks_andReportsIt() {
        String repo = repo("reconcile");
        String d1 = pusher.push(repo, "a", image("6.4.3", 1, 10_000));
        String d2 = pusher.push(repo, "b", image("6.5.2", 1, 10_000));
        archive("x1", repo, d1, "a");

        var r =
                service.reconcile(
                        new RegistryImageLister(sourceClient),
                        List.of(repo),
                        Instant.now().plusSeconds(120));

        assertThat(r.listed()).isEqualTo(2);
        assertThat(r.alreadyArchived()).isEqualTo(1);
        assertThat(r.archived()).extracting(ArchiveService.Outcome::tag).containsExactly("b");
        assertThat(layout.readIndex().index().find(repo + ":b").orElseThrow().digest())
                .isEqualTo(d2);
        assertThat(
                        service.reconcile(
                                        new RegistryImageLister(sourceClient),
                                        List.of(repo),
                                        Instant.now().plusSeconds(120))
                                .archived())
                .isEmpty();
    }

    @Test
    void concurrentArchivers_loseNoIndexEntry() throws Exception {
        String repo = repo("concurrent");
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            digests.add(pusher.push(repo, "t" + i, image("6.4." + i, 1, 5_000)));
        }
        // the index exists, as it does after the first archive ever: every writer races on If-Match
        // (S3Mock does not
        // serialise two creations with If-None-Match the way S3 does, which this test is not about)
        ImageArchiver.updateIndex(layout, i -> i);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            futures.add(pool.submit(() -> archive("c" + n, repo, digests.get(n), "t" + n)));
        }
        for (var f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        var index = layout.readIndex().index();
        for (int i = 0; i < 6; i++) {
            assertThat(index.find(repo + ":t" + i)).as("t" + i).isPresent();
        }
    }

    @Test
    void export_isAnOciLayoutThatSkopeoAndUmociRead(@TempDir Path tmp) throws Exception {
        String repo = repo("export");
        String digest = pusher.push(repo, "wp-6.4-v1", image("6.4.3", 1, 10_000));
        archive("x1", repo, digest, "wp-6.4-v1");
        Path dir = tmp.resolve("layout");

        ArchiveExport.export(
                layout, repo, null, new DirectoryLayout(dir, false), ImageArchiver.Progress.NONE);

        String raw =
                run(
                        List.of(
                                Tools.require("skopeo", "skopeo").toString(),
                                "inspect",
                                "--raw",
                                "oci:" + dir + ":wp-6.4-v1"));
        assertThat(OciImages.sha256(raw.getBytes(StandardCharsets.UTF_8))).isEqualTo(digest);
        String umoci = Tools.require("umoci", "umoci").toString();
        assertThat(run(List.of(umoci, "ls", "--layout", dir.toString()))).contains("wp-6.4-v1");
        run(
                List.of(
                        umoci,
                        "unpack",
                        "--rootless",
                        "--image",
                        dir + ":wp-6.4-v1",
                        tmp.resolve("bundle").toString()));
        assertThat(
                        Files.readString(
                                tmp.resolve(
                                        "bundle/rootfs/usr/src/wordpress/wp-includes/version.php")))
                .contains("6.4.3");
    }

    private ImageRestorer restorer(LocalRegistry target) {
        return new ImageRestorer(
                layout,
                new RegistryWriter(target.url(), RegistryAuth.anonymous()),
                new RegistryClient(target.url(), RegistryAuth.anonymous()));
    }

    /**
     * The digest of the manifest bytes skopeo reads from the registry (its --raw output, hashed).
     */
    static String skopeoDigest(LocalRegistry registry, String ref) throws Exception {
        String raw =
                run(
                        List.of(
                                Tools.require("skopeo", "skopeo").toString(),
                                "inspect",
                                "--raw",
                                "--tls-verify=false",
                                "docker://127.0.0.1:" + registry.port() + "/" + ref));
        return OciImages.sha256(raw.getBytes(StandardCharsets.UTF_8));
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + err).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    static void deleteManifest(LocalRegistry registry, String repo, String digest)
            throws Exception {
        LocalRegistries.deleteManifest(registry, repo, digest);
    }
}
