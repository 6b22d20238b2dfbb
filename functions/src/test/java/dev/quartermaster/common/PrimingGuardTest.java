package dev.quartermaster.common;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a primer runs, a real SDK client of ours sends its reads and never a write: the write is
 * answered in-process (its protocol's empty success, which the SDK unmarshals), and outside priming
 * the same call goes out.
 */
class PrimingGuardTest {
    private static final List<String> SENT = new CopyOnWriteArrayList<>();
    private static HttpServer twin;
    private static AwsClients clients;

    @BeforeAll
    static void start() throws Exception {
        twin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        twin.createContext(
                "/",
                x -> {
                    String target = x.getRequestHeaders().getFirst("X-Amz-Target");
                    String body =
                            new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    SENT.add(target != null ? target.substring(target.indexOf('.') + 1) : body);
                    byte[] answer =
                            target != null
                                    ? "{}".getBytes(StandardCharsets.UTF_8)
                                    : "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>"
                                            .getBytes(StandardCharsets.UTF_8);
                    x.getResponseHeaders()
                            .add(
                                    "Content-Type",
                                    target != null ? "application/x-amz-json-1.0" : "text/xml");
                    x.sendResponseHeaders(200, answer.length);
                    x.getResponseBody().write(answer);
                    x.close();
                });
        twin.start();
        String url = "http://127.0.0.1:" + twin.getAddress().getPort();
        clients =
                new AwsClients(
                        Settings.of(
                                Map.of(
                                        "AWS_REGION", "us-east-1",
                                        "AWS_ACCESS_KEY_ID", "unit",
                                        "AWS_SECRET_ACCESS_KEY", "unit",
                                        "AWS_ENDPOINT_URL", url)));
    }

    @AfterAll
    static void stop() {
        twin.stop(0);
    }

    @Test
    void whilePriming_readsAreSent_writesAnsweredHere() {
        SENT.clear();
        try (DynamoDbClient dynamo = clients.dynamoDb();
                SnsClient sns = clients.sns()) {
            Priming.run(
                    handle -> handle.accept("event"),
                    event -> {
                        dynamo.getItem(
                                b -> b.tableName("t").key(Map.of("pk", AttributeValue.fromS("a"))));
                        var put =
                                dynamo.putItem(
                                        b ->
                                                b.tableName("t")
                                                        .item(
                                                                Map.of(
                                                                        "pk",
                                                                        AttributeValue.fromS(
                                                                                "a"))));
                        assertThat(put.sdkHttpResponse().isSuccessful()).isTrue();
                        var published =
                                sns.publish(
                                        b ->
                                                b.topicArn("arn:aws:sns:us-east-1:123456789012:t")
                                                        .message("m"));
                        assertThat(published.sdkHttpResponse().isSuccessful()).isTrue();
                    });
            assertThat(SENT).containsExactly("GetItem");

            // outside priming, the same calls are sent
            dynamo.putItem(b -> b.tableName("t").item(Map.of("pk", AttributeValue.fromS("a"))));
            sns.publish(b -> b.topicArn("arn:aws:sns:us-east-1:123456789012:t").message("m"));
            assertThat(SENT).hasSize(3);
            assertThat(SENT.get(1)).isEqualTo("PutItem");
            assertThat(SENT.get(2)).contains("Action=Publish");
        }
    }

    @Test
    void theClientsOwnPriming_answeredInProcess_everyAnswerUnderstood() {
        SENT.clear();
        Priming.REFUSED.clear();
        System.setProperty(Priming.SNAP_START_PROPERTY, "true");
        try (var s3 = S3Clients.create(clients)) {
            assertThat(s3).isNotNull();
        } finally {
            System.clearProperty(Priming.SNAP_START_PROPERTY);
        }
        assertThat(SENT).as("nothing of S3's priming left the process").isEmpty();
        // each S3 operation understood the guard's answer; the two reads of a missing key got
        // S3's own "not found", as the SDK models it
        assertThat(Priming.REFUSED)
                .as("what S3's priming saw fail")
                .hasSize(2)
                .allMatch(r -> r.contains("missing") && r.contains("Status Code: 404"))
                .anyMatch(r -> r.contains("NoSuchKeyException"));
        Priming.REFUSED.clear();

        // the platform's table writes and alert: answered too; its one read of the table is sent
        System.setProperty(Priming.SNAP_START_PROPERTY, "true");
        try {
            new Platform(
                    Settings.of(
                            Map.of(
                                    "AWS_REGION", "us-east-1",
                                    "AWS_ACCESS_KEY_ID", "unit",
                                    "AWS_SECRET_ACCESS_KEY", "unit",
                                    "AWS_ENDPOINT_URL",
                                            "http://127.0.0.1:" + twin.getAddress().getPort(),
                                    "TABLE_NAME", "t",
                                    "ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t")));
        } finally {
            System.clearProperty(Priming.SNAP_START_PROPERTY);
        }
        assertThat(SENT).containsExactly("GetItem");
        assertThat(Priming.REFUSED).isEmpty();
    }

    @Test
    void readsThatHandOutCredentials_areNeverSent_whilePriming() {
        assertThat(PrimingGuard.sentWhilePriming("GetItem")).isTrue();
        assertThat(PrimingGuard.sentWhilePriming("DescribeInstanceInformation")).isTrue();
        assertThat(PrimingGuard.sentWhilePriming("GetAuthorizationToken")).isFalse();
        assertThat(PrimingGuard.sentWhilePriming("GetSecretValue")).isFalse();
        assertThat(PrimingGuard.sentWhilePriming("SendCommand")).isFalse();
        assertThat(PrimingGuard.sentWhilePriming("TransactWriteItems")).isFalse();
        assertThat(PrimingGuard.sentWhilePriming(null)).isFalse();
    }

    @Test
    void thePrimersEvents_areTheFixturesUnderEvents() throws Exception {
        Path events = Path.of("..", "events");
        for (String name : PrimingEvents.FIXTURES) {
            assertThat(PrimingEvents.fixture(name))
                    .as(name + ": the jar's copy is the fixture SOURCES.md names")
                    .isEqualTo(Files.readString(events.resolve(name)));
        }
        String push =
                PrimingEvents.push(
                        new dev.quartermaster.events.EventOrigin("210987654321", "eu-west-1"),
                        "shop",
                        "qm-priming");
        assertThat(push)
                .contains("\"account\": \"210987654321\"", "\"region\": \"eu-west-1\"")
                .contains("\"repository-name\": \"shop\"", "\"image-tag\": \"qm-priming\"")
                .contains(Priming.NO_DIGEST)
                .doesNotContain("123456789012", "us-east-1", "wordpress");
    }
}
