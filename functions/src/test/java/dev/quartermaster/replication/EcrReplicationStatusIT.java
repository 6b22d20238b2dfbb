package dev.quartermaster.replication;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.registry.RegistryRoot;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DescribeImageReplicationStatus through the SDK's own ECR client (moto has no such call, no ECR
 * twin runs here: a loopback endpoint speaks ECR's JSON 1.1 protocol, answers with
 * aws/ecr/DescribeImageReplicationStatus.json and records the request): the operation and its
 * parameters, SigV4 for ecr in the home region, each destination's status read back,
 * ImageNotFoundException as "no status".
 */
class EcrReplicationStatusIT {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void asksEcrForTheDigestAndReadsEachDestinationsStatus() throws Exception {
        // the fixture (shaped as the SDK's model, ApiFixturesTest) and one status naming no real
        // region, which is skipped
        com.fasterxml.jackson.databind.node.ObjectNode fixture;
        try (var in =
                EcrReplicationStatusIT.class.getResourceAsStream(
                        "/aws/ecr/DescribeImageReplicationStatus.json")) {
            fixture =
                    (com.fasterxml.jackson.databind.node.ObjectNode)
                            new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        fixture.withArray("replicationStatuses")
                .addObject()
                .put("region", "not a region")
                .put("registryId", "x")
                .put("status", "COMPLETE");
        byte[] answer = fixture.toString().getBytes(StandardCharsets.UTF_8);
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
                    boolean gone = body.contains("gone");
                    byte[] out =
                            gone
                                    ? "{\"__type\":\"ImageNotFoundException\",\"message\":\"The image requested does not exist\"}"
                                            .getBytes(StandardCharsets.UTF_8)
                                    : answer;
                    ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                    ex.sendResponseHeaders(gone ? 400 : 200, out.length);
                    ex.getResponseBody().write(out);
                    ex.close();
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
            EcrReplicationStatus status = new EcrReplicationStatus(RegistryRoot.ecr(p));

            List<ReplicationStatus.Status> s = status.of("wordpress", DIGEST);

            assertThat(targets.get(0))
                    .isEqualTo(
                            "AmazonEC2ContainerRegistry_V20150921.DescribeImageReplicationStatus");
            assertThat(bodies.get(0))
                    .contains("\"repositoryName\":\"wordpress\"")
                    .contains("\"imageDigest\":\"" + DIGEST + "\"");
            assertThat(auth.get(0))
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/us-east-1/ecr/aws4_request");
            assertThat(s)
                    .containsExactly(
                            new ReplicationStatus.Status(
                                    new Destination("eu-central-1", "123456789012"),
                                    ReplicationStatus.State.COMPLETE,
                                    null),
                            new ReplicationStatus.Status(
                                    new Destination("eu-west-1", "444455556666"),
                                    ReplicationStatus.State.FAILED,
                                    "REPLICATION_DESTINATION_POLICY_MISSING"),
                            new ReplicationStatus.Status(
                                    new Destination("ap-south-1", "123456789012"),
                                    ReplicationStatus.State.IN_PROGRESS,
                                    null));
            assertThat(status.of("gone", DIGEST))
                    .as("an image deleted from the source has no status")
                    .isEmpty();
        } finally {
            server.stop(0);
        }
    }
}
