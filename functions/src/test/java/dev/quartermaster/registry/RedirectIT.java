package dev.quartermaster.registry;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.LocalS3;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.verify.ImageVerifier;
import dev.quartermaster.verify.Verdict;
import dev.quartermaster.verify.VerifyRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Blob downloads that redirect, as ECR's do (to S3). */
class RedirectIT {

    @Test
    void verify_whenRegistryRedirectsBlobsToS3_followsAndVerifies(@TempDir Path dir)
            throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("registry"));
                LocalRegistry registry =
                        LocalRegistry.redirectingToS3(dir.resolve("registry"), s3.endpoint())) {
            OciImages.Image image = OciImages.wordpressLike("6.4.3", 1, 50_000, 0);
            String digest =
                    new OciImages.Pusher(registry.url()).push("wordpress", "wp-6.4-v1", image);

            HttpResponse<Void> raw =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            registry.url()
                                                                    + "/v2/wordpress/blobs/"
                                                                    + image.layers()
                                                                            .get(1)
                                                                            .digest()))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
            Verdict v =
                    new ImageVerifier(
                                    new RegistryClient(
                                            registry.url(), RegistryAuth.basic("AWS", "token")),
                                    VerifyRules.defaults())
                            .verify("wordpress", digest, "wp-6.4-v1")
                            .verdict();

            assertThat(raw.statusCode()).isEqualTo(307);
            assertThat(raw.headers().firstValue("Location"))
                    .get()
                    .asString()
                    .startsWith(s3.endpoint());
            assertThat(v.kind()).isEqualTo(ImageVerdict.VERIFIED);
            assertThat(v.found()).isEqualTo("6.4.3");
        }
    }

    @Test
    void blob_whenRedirectedToAnotherHost_doesNotSendTheRegistryAuthorization() throws Exception {
        byte[] content = "layer bytes".getBytes(StandardCharsets.UTF_8);
        String digest = Digests.of(content);
        List<String> authSeenByStorage = new CopyOnWriteArrayList<>();
        List<String> authSeenByRegistry = new CopyOnWriteArrayList<>();
        HttpServer storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        storage.createContext(
                "/",
                ex -> {
                    authSeenByStorage.add(
                            String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                    ex.sendResponseHeaders(200, content.length);
                    ex.getResponseBody().write(content);
                    ex.close();
                });
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext(
                "/",
                ex -> {
                    authSeenByRegistry.add(
                            String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                    ex.getResponseHeaders()
                            .add(
                                    "Location",
                                    "http://127.0.0.1:"
                                            + storage.getAddress().getPort()
                                            + "/bucket/blob?X-Amz-Signature=abc");
                    ex.sendResponseHeaders(307, -1);
                    ex.close();
                });
        storage.start();
        registry.start();
        try {
            RegistryClient client =
                    new RegistryClient(
                            "http://127.0.0.1:" + registry.getAddress().getPort(),
                            RegistryAuth.basic("AWS", "secret"));
            try (var in = client.blob("wordpress", digest)) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            assertThat(authSeenByRegistry).singleElement().asString().startsWith("Basic ");
            assertThat(authSeenByStorage).containsExactly("null");
        } finally {
            registry.stop(0);
            storage.stop(0);
        }
    }

    @Test
    void blob_whenServerFailsTwiceThenServes_retries() throws Exception {
        byte[] content = "eventually".getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.atomic.AtomicInteger calls =
                new java.util.concurrent.atomic.AtomicInteger();
        HttpServer flaky = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        flaky.createContext(
                "/",
                ex -> {
                    if (calls.incrementAndGet() <= 2) {
                        ex.sendResponseHeaders(503, -1);
                    } else {
                        ex.sendResponseHeaders(200, content.length);
                        ex.getResponseBody().write(content);
                    }
                    ex.close();
                });
        flaky.start();
        try {
            RegistryClient client =
                    new RegistryClient(
                            "http://127.0.0.1:" + flaky.getAddress().getPort(),
                            RegistryAuth.anonymous());
            try (var in = client.blob("r", Digests.of(content))) {
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            assertThat(calls.get()).isEqualTo(3);
        } finally {
            flaky.stop(0);
        }
    }

    @Test
    void manifest_whenServerKeepsFailing_givesUpWithATransientError() throws Exception {
        HttpServer down = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger calls =
                new java.util.concurrent.atomic.AtomicInteger();
        down.createContext(
                "/",
                ex -> {
                    calls.incrementAndGet();
                    ex.sendResponseHeaders(502, -1);
                    ex.close();
                });
        down.start();
        try {
            RegistryClient client =
                    new RegistryClient(
                            "http://127.0.0.1:" + down.getAddress().getPort(),
                            RegistryAuth.anonymous());

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.manifest("r", "latest"))
                    .isInstanceOfSatisfying(
                            RegistryException.class, e -> assertThat(e.isTransient()).isTrue())
                    .hasMessageContaining("kept failing");
            assertThat(calls.get()).isEqualTo(4);
        } finally {
            down.stop(0);
        }
    }
}
