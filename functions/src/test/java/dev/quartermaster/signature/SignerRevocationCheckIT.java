package dev.quartermaster.signature;

import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.common.AwsClients;
import dev.quartermaster.common.Settings;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GetRevocationStatus as AWS Signer's REST API takes it (no Signer twin runs here: a loopback
 * endpoint records the request): GET /revocations with every parameter, the certificate hashes
 * repeated, SigV4 for service signer; the revoked entities read back; an error answer is an
 * exception (the gate fails closed on it).
 */
class SignerRevocationCheckIT {
    @Test
    void asksSignerWithEveryParameterSignedForTheSignerService_andReadsTheRevokedEntities()
            throws Exception {
        List<String> queries = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/revocations",
                ex -> {
                    queries.add(
                            URLDecoder.decode(
                                    ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
                    auth.add(ex.getRequestHeaders().getFirst("Authorization"));
                    boolean revoked = ex.getRequestURI().getRawQuery().contains("revoked-job");
                    boolean broken = ex.getRequestURI().getRawQuery().contains("broken-job");
                    byte[] body =
                            (broken
                                            ? "{\"message\":\"AccessDenied\"}"
                                            : revoked
                                                    ? "{\"revokedEntities\":[\"arn:aws:signer:us-east-1:123456789012:/signing-jobs/revoked-job\"]}"
                                                    : "{\"revokedEntities\":[]}")
                                    .getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(broken ? 403 : 200, body.length);
                    ex.getResponseBody().write(body);
                    ex.close();
                });
        server.start();
        try {
            AwsClients aws =
                    new AwsClients(
                            Settings.of(
                                    Map.of(
                                            "AWS_REGION",
                                            "eu-west-1",
                                            "AWS_ACCESS_KEY_ID",
                                            "AKIDEXAMPLE",
                                            "AWS_SECRET_ACCESS_KEY",
                                            "secret",
                                            "AWS_ENDPOINT_URL_SIGNER",
                                            "http://127.0.0.1:" + server.getAddress().getPort())));
            SignerRevocationCheck check = new SignerRevocationCheck(aws);
            String profile =
                    "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/qm/a1B2c3D4e5";

            List<String> none =
                    check.revoked(
                            new RevocationCheck.Query(
                                    profile,
                                    "arn:aws:signer:eu-west-1:123456789012:/signing-jobs/ok-job",
                                    List.of("aa".repeat(96), "bb".repeat(96)),
                                    Instant.parse("2026-11-30T10:00:00Z")));
            List<String> revoked =
                    check.revoked(
                            new RevocationCheck.Query(
                                    profile,
                                    "arn:aws:signer:eu-west-1:123456789012:/signing-jobs/revoked-job",
                                    List.of("cc".repeat(96)),
                                    Instant.parse("2026-11-30T10:00:00Z")));

            assertThat(none).isEmpty();
            assertThat(revoked)
                    .containsExactly(
                            "arn:aws:signer:us-east-1:123456789012:/signing-jobs/revoked-job");
            assertThat(queries.get(0))
                    .contains(
                            "platformId=Notation-OCI-SHA384-ECDSA",
                            "profileVersionArn=" + profile,
                            "signatureTimestamp=2026-11-30T10:00:00Z",
                            "jobArn=arn:aws:signer:eu-west-1:123456789012:/signing-jobs/ok-job",
                            "certificateHashes=" + "aa".repeat(96),
                            "certificateHashes=" + "bb".repeat(96));
            assertThat(auth.get(0))
                    .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                    .contains("/eu-west-1/signer/aws4_request");
            assertThatThrownBy(
                            () ->
                                    check.revoked(
                                            new RevocationCheck.Query(
                                                    profile,
                                                    "arn:aws:signer:eu-west-1:123456789012:/signing-jobs/broken-job",
                                                    List.of(),
                                                    Instant.now())))
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("AccessDenied");
        } finally {
            server.stop(0);
        }
    }
}
