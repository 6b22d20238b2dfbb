package dev.quartermaster.lifecycle;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ECR's lifecycle policy preview through the SDK, against an endpoint that answers in ECR's JSON
 * protocol the way the API reference documents it (moto's server does not implement the preview
 * API): the policy text is sent, the answer polled while IN_PROGRESS, every page read, a FAILED
 * preview and one already running refused clearly.
 */
class EcrLifecyclePreviewIT {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    private record Fake(HttpServer server, List<String> calls) implements AutoCloseable {
        EcrClient client() {
            return EcrClient.builder()
                    .endpointOverride(
                            URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(
                            StaticCredentialsProvider.create(
                                    AwsBasicCredentials.create("test", "test")))
                    .build();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /**
     * {@code answers}: X-Amz-Target's operation → the bodies it answers in turn (the last repeats);
     * a body starting with 4 is an error.
     */
    private static Fake fake(Map<String, List<String>> answers) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> calls = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> turn = new java.util.concurrent.ConcurrentHashMap<>();
        server.createContext(
                "/",
                ex -> {
                    String op =
                            ex.getRequestHeaders()
                                    .getFirst("X-Amz-Target")
                                    .replace("AmazonEC2ContainerRegistry_V20150921.", "");
                    calls.add(
                            op
                                    + " "
                                    + new String(
                                            ex.getRequestBody().readAllBytes(),
                                            StandardCharsets.UTF_8));
                    List<String> bodies = answers.get(op);
                    String body =
                            bodies.get(
                                    Math.min(
                                            turn.computeIfAbsent(op, k -> new AtomicInteger())
                                                    .getAndIncrement(),
                                            bodies.size() - 1));
                    int status = 200;
                    if (body.startsWith("4")) {
                        status = 400;
                        body = body.substring(1);
                    }
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                    ex.sendResponseHeaders(status, bytes.length);
                    ex.getResponseBody().write(bytes);
                    ex.close();
                });
        server.start();
        return new Fake(server, calls);
    }

    private static String result(String digest, String action, int priority) {
        return "{\"imageDigest\":\""
                + digest
                + "\",\"imageTags\":[\"t\"],\"imagePushedAt\":1.7E9,\"action\":{\"type\":\""
                + action
                + "\"},\"appliedRulePriority\":"
                + priority
                + "}";
    }

    @Test
    void sendsThePolicyText_pollsWhileInProgress_andReadsEveryPage() throws Exception {
        String started = "{\"repositoryName\":\"wordpress\",\"status\":\"IN_PROGRESS\"}";
        try (Fake f =
                        fake(
                                Map.of(
                                        "StartLifecyclePolicyPreview",
                                        List.of(started),
                                        "GetLifecyclePolicyPreview",
                                        List.of(
                                                "{\"status\":\"IN_PROGRESS\",\"previewResults\":[]}",
                                                "{\"status\":\"COMPLETE\",\"previewResults\":["
                                                        + result(D1, "EXPIRE", 2)
                                                        + "],\"nextToken\":\"p2\"}",
                                                "{\"status\":\"COMPLETE\",\"previewResults\":["
                                                        + result(D2, "TRANSITION", 3)
                                                        + ",{\"imageDigest\":\"bogus\"}]}")));
                EcrClient ecr = f.client()) {
            var out =
                    new EcrLifecyclePreview(() -> ecr, Duration.ofMillis(10))
                            .preview("wordpress", "{\"rules\":[]}", Duration.ofSeconds(10));

            assertThat(out).containsOnlyKeys(D1, D2);
            assertThat(out.get(D1)).isEqualTo(new EcrLifecyclePreview.Result(D1, "EXPIRE", 2));
            assertThat(out.get(D2).action()).isEqualTo("TRANSITION");
            assertThat(f.calls().get(0))
                    .startsWith("StartLifecyclePolicyPreview")
                    .contains("\"lifecyclePolicyText\":\"{\\\"rules\\\":[]}\"");
            assertThat(f.calls().get(3)).contains("\"nextToken\":\"p2\"");
        }
    }

    @Test
    void aFailedPreview_andOneAlreadyRunning_areRefusedClearly() throws Exception {
        try (Fake f =
                        fake(
                                Map.of(
                                        "StartLifecyclePolicyPreview",
                                        List.of("{\"status\":\"IN_PROGRESS\"}"),
                                        "GetLifecyclePolicyPreview",
                                        List.of("{\"status\":\"FAILED\"}")));
                EcrClient ecr = f.client()) {
            assertThatThrownBy(
                            () ->
                                    new EcrLifecyclePreview(() -> ecr, Duration.ofMillis(10))
                                            .preview("wordpress", "{}", Duration.ofSeconds(5)))
                    .hasMessageContaining("ended FAILED");
        }
        try (Fake f =
                        fake(
                                Map.of(
                                        "StartLifecyclePolicyPreview",
                                        List.of(
                                                "4{\"__type\":\"LifecyclePolicyPreviewInProgressException\",\"message\":\"in progress\"}")));
                EcrClient ecr = f.client()) {
            assertThatThrownBy(
                            () ->
                                    new EcrLifecyclePreview(() -> ecr, Duration.ofMillis(10))
                                            .preview("wordpress", "{}", Duration.ofSeconds(5)))
                    .hasMessageContaining("already running");
        }
    }
}
