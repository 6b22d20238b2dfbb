package dev.quartermaster.signature;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.registry.RegistryRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DescribeImageSigningStatus through the SDK's own ECR client (moto has no such call: a loopback
 * endpoint speaks ECR's JSON 1.1 protocol and answers with the fixture
 * aws/ecr/DescribeImageSigningStatus.json, shaped as the SDK's model): the operation and its
 * parameters, SigV4 for ecr, a failure ranked before a completed signature, an empty list as no
 * status.
 */
class EcrSigningStatusIT {
    static final String DIGEST =
            "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

    @Test
    void asksEcrForTheDigest_andRanksAFailureFirst() throws Exception {
        byte[] answer;
        try (InputStream in =
                EcrSigningStatusIT.class.getResourceAsStream(
                        "/aws/ecr/DescribeImageSigningStatus.json")) {
            answer = in.readAllBytes();
        }
        List<String> targets = new CopyOnWriteArrayList<>();
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                ex -> {
                    String body =
                            new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    targets.add(ex.getRequestHeaders().getFirst("X-Amz-Target"));
                    bodies.add(body);
                    auth.add(ex.getRequestHeaders().getFirst("Authorization"));
                    boolean unsigned = body.contains("unsigned");
                    reply(
                            ex,
                            200,
                            unsigned
                                    ? "{\"repositoryName\":\"unsigned\",\"signingStatuses\":[]}"
                                            .getBytes(StandardCharsets.UTF_8)
                                    : answer);
                });
        server.start();
        try {
            Platform p =
                    new Platform(
                            Settings.of(
                                    Map.of(
                                            "AWS_REGION",
                                            "us-east-1",
                                            "AWS_ACCESS_KEY_ID",
                                            "AKIDEXAMPLE",
                                            "AWS_SECRET_ACCESS_KEY",
                                            "secret",
                                            "AWS_ENDPOINT_URL_ECR",
                                            "http://127.0.0.1:" + server.getAddress().getPort(),
                                            "TABLE_NAME",
                                            "t")));
            EcrSigningStatus status = new EcrSigningStatus(RegistryRoot.ecr(p));

            var s = status.status("wordpress", DIGEST);

            assertThat(targets.get(0))
                    .isEqualTo("AmazonEC2ContainerRegistry_V20150921.DescribeImageSigningStatus");
            assertThat(bodies.get(0))
                    .contains("\"repositoryName\":\"wordpress\"")
                    .contains("\"imageDigest\":\"" + DIGEST + "\"");
            assertThat(auth.get(0))
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/us-east-1/ecr/aws4_request");
            assertThat(s)
                    .contains(
                            new SigningStatus.Status(
                                    SigningStatus.State.FAILED,
                                    "arn:aws:signer:us-east-1:123456789012:/signing-profiles/quartermaster_second",
                                    "AccessDenied: ECR could not use the signing profile quartermaster_second"));
            assertThat(status.status("unsigned", DIGEST))
                    .as("no signing configured for it")
                    .isEmpty();
        } finally {
            server.stop(0);
        }
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int code, byte[] out)
            throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        ex.sendResponseHeaders(code, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }
}
