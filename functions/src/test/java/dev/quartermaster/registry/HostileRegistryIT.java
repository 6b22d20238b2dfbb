package dev.quartermaster.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.verify.ImageVerifier;
import dev.quartermaster.verify.Verdict;
import dev.quartermaster.verify.VerifyBudget;
import dev.quartermaster.verify.VerifyRules;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Registries that misbehave on purpose: slow bodies, bad redirects. Each must end quickly in a
 * clear error.
 */
class HostileRegistryIT {
    private static final RegistryClient.Timeouts FAST =
            new RegistryClient.Timeouts(
                    Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(2));
    private HttpServer server;

    private String serve(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", handler);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Sends {@code status} and then one byte a second for 100 seconds. */
    private static void dribble(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 100; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(1000);
            }
        } catch (InterruptedException | IOException e) {
            // the client hung up: what we want
        }
    }

    @Test
    void manifest_when404BodyDribbles_failsFastAsNotFound() throws Exception {
        String url = serve(ex -> dribble(ex, 404));
        RegistryClient client = new RegistryClient(url, RegistryAuth.anonymous(), FAST);

        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () ->
                        assertThatThrownBy(() -> client.manifest("r", "latest"))
                                .isInstanceOfSatisfying(
                                        RegistryException.class,
                                        e -> assertThat(e.isTransient()).isFalse())
                                .hasMessageContaining("404"));
    }

    @Test
    void manifest_when200BodyDribbles_failsWithinTheBodyTimeout() throws Exception {
        String url = serve(ex -> dribble(ex, 200));
        RegistryClient client = new RegistryClient(url, RegistryAuth.anonymous(), FAST);

        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () ->
                        assertThatThrownBy(() -> client.manifest("r", "latest"))
                                .isInstanceOf(RegistryException.class)
                                .hasMessageContaining("taking too long"));
    }

    @Test
    void verify_whenALayerDribbles_isUnverifiableAtTheDeadline() throws Exception {
        byte[] layer = new byte[64];
        String layerDigest = Digests.of(layer);
        byte[] config = "{\"config\":{}}".getBytes(StandardCharsets.UTF_8);
        String manifest =
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + Digests.of(config)
                        + "\",\"size\":"
                        + config.length
                        + "},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                        + layerDigest
                        + "\",\"size\":1000000}]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        String url =
                serve(
                        ex -> {
                            if (ex.getRequestURI().getPath().contains("/manifests/")) {
                                ex.getResponseHeaders()
                                        .add(
                                                "Content-Type",
                                                "application/vnd.oci.image.manifest.v1+json");
                                ex.sendResponseHeaders(200, manifestBytes.length);
                                ex.getResponseBody().write(manifestBytes);
                                ex.close();
                            } else {
                                dribble(ex, 200);
                            }
                        });
        var verifier =
                new ImageVerifier(
                        new RegistryClient(url, RegistryAuth.anonymous(), FAST),
                        VerifyRules.defaults());
        VerifyBudget fourSeconds =
                new VerifyBudget(
                        VerifyBudget.Limits.defaults(),
                        Clock.systemUTC().instant().plusSeconds(4),
                        Clock.systemUTC());

        Verdict v =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(30),
                        () ->
                                verifier.verify(
                                                "wordpress",
                                                Digests.of(manifestBytes),
                                                "wp-6.4-v1",
                                                fourSeconds)
                                        .verdict());

        assertThat(v.kind()).isEqualTo(ImageVerdict.UNVERIFIABLE);
        assertThat(v.reason()).contains("ran out of time");
    }

    @Test
    void redirect_withoutAHost_isAClearPermanentError() throws Exception {
        String url =
                serve(
                        ex -> {
                            ex.getResponseHeaders().add("Location", "http:///bucket/blob");
                            ex.sendResponseHeaders(307, -1);
                            ex.close();
                        });
        RegistryClient client = new RegistryClient(url, RegistryAuth.anonymous(), FAST);

        assertThatThrownBy(() -> client.blob("r", "sha256:" + "a".repeat(64)))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("without a host");
    }

    @Test
    void redirect_loop_isPermanentNotTransient() throws Exception {
        AtomicInteger hops = new AtomicInteger();
        String url =
                serve(
                        ex -> {
                            hops.incrementAndGet();
                            ex.getResponseHeaders()
                                    .add("Location", "/v2/r/blobs/again" + hops.get());
                            ex.sendResponseHeaders(302, -1);
                            ex.close();
                        });
        RegistryClient client = new RegistryClient(url, RegistryAuth.anonymous(), FAST);

        assertThatThrownBy(() -> client.blob("r", "sha256:" + "a".repeat(64)))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("more than 5 times");
        assertThat(hops.get()).isEqualTo(6); // one try, not four rounds of retries
    }

    @Test
    void redirect_toAnotherScheme_isRefused() throws Exception {
        String url =
                serve(
                        ex -> {
                            ex.getResponseHeaders().add("Location", "ftp://127.0.0.1/blob");
                            ex.sendResponseHeaders(307, -1);
                            ex.close();
                        });
        RegistryClient client = new RegistryClient(url, RegistryAuth.anonymous(), FAST);

        assertThatThrownBy(() -> client.blob("r", "sha256:" + "a".repeat(64)))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("only https is followed");
    }

    @Test
    void registryUrl_thatIsNotHttp_isRejectedWithTheFix() {
        assertThatThrownBy(() -> new RegistryClient("file:///etc", RegistryAuth.anonymous()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://host");
    }
}
