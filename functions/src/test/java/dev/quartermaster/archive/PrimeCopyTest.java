package dev.quartermaster.archive;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.common.AwsClients;
import dev.quartermaster.common.Priming;
import dev.quartermaster.common.S3Clients;
import dev.quartermaster.common.Settings;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * image-archive's priming copies the priming image whole into the guard's bucket, and the archive
 * functions read and look up blobs there: every S3 call is answered in-process (nothing reaches
 * S3's endpoint), and the copy ends complete, so the first real push finds the copy's path walked,
 * not an error path.
 */
class PrimeCopyTest {
    @Test
    void primeCopy_whilePriming_copiesThePrimingImageWhole_andSendsNothingToS3() throws Exception {
        AtomicReference<ImageArchiver.Result> copied = new AtomicReference<>();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<String> sent =
                sentWhilePriming(
                        s3 -> {
                            try {
                                copied.set(ArchiveRoot.primeCopy(() -> s3));
                            } catch (RuntimeException e) {
                                failed.set(e);
                            }
                        });

        assertThat(failed.get()).as("the copy threw").isNull();
        assertThat(sent).as("nothing of the copy left the process").isEmpty();
        ImageArchiver.Result r = copied.get();
        assertThat(r).isNotNull();
        assertThat(r.complete()).isTrue();
        assertThat(r.blobs()).isEqualTo(3); // the manifest, the config and the one layer
        assertThat(r.bytesTotal()).isPositive();
    }

    @Test
    void primeBlobReads_whilePriming_readsAndLooksUpBlobs_andSendsNothing() throws Exception {
        AtomicReference<Integer> reads = new AtomicReference<>(0);
        List<String> sent = sentWhilePriming(s3 -> reads.set(ArchiveRoot.primeBlobReads(() -> s3)));

        assertThat(sent).as("no read of the guard's bucket left the process").isEmpty();
        // the budget bounds them on a slow machine
        assertThat(reads.get()).isBetween(1, ArchiveRoot.PRIMING_BLOB_READS);
    }

    @Test
    void underTheGuardsMissingPrefix_aListingListsNothing_andAWriteSucceeds() throws Exception {
        AtomicReference<List<ArchiveLayout.BlobInfo>> listed = new AtomicReference<>();
        AtomicReference<Boolean> stored = new AtomicReference<>(false);
        List<String> sent =
                sentWhilePriming(
                        s3 -> {
                            var empty =
                                    new S3ArchiveLayout(
                                            () -> s3,
                                            dev.quartermaster.common.PrimingGuard.MARK,
                                            dev.quartermaster.common.PrimingGuard.MISSING + "/");
                            // the prefix travels query-encoded (qm-priming%2Fmissing%2F...)
                            listed.set(empty.blobs());
                            byte[] bytes = "x".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            String digest = dev.quartermaster.registry.Digests.of(bytes);
                            empty.putBlob(
                                    digest, bytes.length, new java.io.ByteArrayInputStream(bytes));
                            stored.set(empty.blob(digest).isEmpty()); // and a read finds nothing
                        });

        assertThat(sent).isEmpty();
        assertThat(listed.get()).isEmpty();
        assertThat(stored.get()).isTrue();
    }

    /**
     * Runs {@code priming} as a primer's event, with an S3 client of ours whose endpoint records
     * (and refuses) whatever reaches it: what reached it.
     */
    private static List<String> sentWhilePriming(Consumer<S3Client> priming) throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext(
                "/",
                x -> {
                    sent.add(x.getRequestMethod() + " " + x.getRequestURI());
                    x.sendResponseHeaders(500, -1);
                    x.close();
                });
        endpoint.start();
        String url = "http://127.0.0.1:" + endpoint.getAddress().getPort();
        try (var s3 =
                S3Clients.create(
                        new AwsClients(
                                Settings.of(
                                        Map.of(
                                                "AWS_REGION", "us-east-1",
                                                "AWS_ACCESS_KEY_ID", "unit",
                                                "AWS_SECRET_ACCESS_KEY", "unit",
                                                "AWS_ENDPOINT_URL", url))))) {
            Priming.run(handle -> handle.accept("event"), event -> priming.accept(s3));
        } finally {
            endpoint.stop(0);
        }
        return sent;
    }
}
