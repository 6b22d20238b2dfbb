package dev.quartermaster.app;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Priming;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SnapStart priming only reads: every function is built as SnapStart's init builds it (the clients'
 * priming requests included), then its before-checkpoint primer runs, against one recording twin
 * standing in for every AWS API and for the registry. The twin answers reads as "nothing there" and
 * records every request; a write (anything but a Get/Describe/List/Query/ Scan/Head/BatchGet/Filter
 * operation, or a GET/HEAD on S3 and the registry) fails the test.
 */
class PrimingReadOnlyTest {
    private static final Pattern READ =
            Pattern.compile(
                    "(Get|Describe|List|Query|Scan|BatchGet|BatchCheck|Head|Filter|Lookup|Search)[A-Za-z]*");
    private static final Pattern OPERATION_PATH = Pattern.compile(".*/operation/([A-Za-z]+)$");
    private static final Pattern FORM_ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");

    record Request(String method, String path, String operation) {
        boolean read() {
            return operation == null
                    ? method.equals("GET") || method.equals("HEAD")
                    : READ.matcher(operation).matches();
        }
    }

    private static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
    private static HttpServer twin;

    @BeforeAll
    static void start() throws IOException {
        twin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        twin.createContext("/", PrimingReadOnlyTest::answer);
        twin.start();
    }

    @AfterAll
    static void stop() {
        twin.stop(0);
    }

    private static void answer(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        String path = x.getRequestURI().getPath();
        String operation = null;
        Matcher byPath = OPERATION_PATH.matcher(path);
        Matcher byForm = FORM_ACTION.matcher(body);
        if (target != null) {
            operation = target.substring(target.indexOf('.') + 1);
        } else if (byPath.matches()) {
            operation = byPath.group(1);
        } else if (byForm.find()) {
            operation = byForm.group(1);
        }
        Request r = new Request(x.getRequestMethod(), path, operation);
        REQUESTS.add(r);
        String type =
                java.util.Objects.requireNonNullElse(
                        x.getRequestHeaders().getFirst("Content-Type"), "application/json");
        String answer;
        int status;
        if ("GetItem".equals(operation)) {
            status = 200;
            answer = "{}";
        } else if ("DescribeInstanceInformation".equals(operation)) {
            // one app host online (the SSM API reference's shape): the primer's path goes on to the
            // command, which the guard answers
            status = 200;
            answer =
                    "{\"InstanceInformationList\":[{\"InstanceId\":\"i-0abc1234def567890\",\"PingStatus\":\"Online\"}]}";
        } else if ("Query".equals(operation) || "Scan".equals(operation)) {
            status = 200;
            answer = "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}";
        } else if (operation != null && target != null) {
            status = 400;
            answer =
                    "{\"__type\":\"ResourceNotFoundException\",\"message\":\"the twin has nothing\"}";
        } else {
            status = 404;
            answer = "";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        if (x.getRequestMethod().equals("HEAD") || bytes.length == 0) {
            x.sendResponseHeaders(status, -1);
        } else {
            x.sendResponseHeaders(status, bytes.length);
            x.getResponseBody().write(bytes);
        }
        x.close();
    }

    static Stream<FunctionSpec> functions() {
        return Catalog.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("functions")
    void construction_andPrimer_underSnapStart_onlyRead(FunctionSpec spec) {
        REQUESTS.clear();
        EventFunction handler = build(spec);
        List<String> outcomes = handler.prime();

        assertThat(REQUESTS)
                .as(spec.name() + ": every request of its priming is a read")
                .allSatisfy(r -> assertThat(r.read()).as(r.toString()).isTrue());
        // the primer's events take the function's path: none is refused as malformed or as
        // another account's
        assertThat(outcomes)
                .as(spec.name() + ": its primer's events are accepted")
                .noneMatch(o -> o.contains("\"status\":\"REJECTED\""));
    }

    /**
     * The functions whose first event writes: their primers run such an event, and the guard
     * answers.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "image-action",
                "backup-start",
                "alert-sweep",
                "lifecycle-guard",
                "archive-scrub",
                "archive-prune",
                "image-archive",
                "replication-backfill"
            })
    void aPrimer_runsItsWritingPath_theGuardAnswersTheWrites(String name) {
        EventFunction handler = build(Catalog.byName(name).orElseThrow());
        REQUESTS.clear();
        List<String> outcomes = handler.prime();
        assertThat(outcomes)
                .as(name + ": its primer ran events, each to an outcome")
                .isNotEmpty()
                .allMatch(o -> o.startsWith("{\"status\":"), "an outcome: " + outcomes);
        assertThat(REQUESTS).allSatisfy(r -> assertThat(r.read()).as(r.toString()).isTrue());
    }

    @Test
    void theStatusFunctions_primeTheirLookup_ofACommandNobodySent() {
        for (String name : List.of("backup-status", "release-status")) {
            EventFunction handler = build(Catalog.byName(name).orElseThrow());
            REQUESTS.clear();
            handler.prime();
            assertThat(REQUESTS)
                    .as(name + ": the primer's events reach the table (a read)")
                    .extracting(Request::operation)
                    .containsAnyOf("GetItem", "Query");
            assertThat(REQUESTS).allSatisfy(r -> assertThat(r.read()).isTrue());
        }
    }

    @Test
    void aPrimer_emitsNoMetric_andSurvivesItsEventsFailing() {
        java.util.concurrent.atomic.AtomicInteger ran =
                new java.util.concurrent.atomic.AtomicInteger();
        Priming.run(
                handle -> {
                    handle.accept("one");
                    handle.accept("two");
                },
                event -> {
                    ran.incrementAndGet();
                    assertThat(Priming.inProgress()).isTrue();
                    throw new IllegalStateException("refused " + event);
                });
        assertThat(ran).hasValue(2);
        assertThat(Priming.inProgress()).isFalse();
    }

    private static EventFunction build(FunctionSpec spec) {
        System.setProperty(Priming.SNAP_START_PROPERTY, "true");
        try {
            RequestStreamHandler h =
                    Handlers.create(spec.name(), Wiring.of(new Platform(Settings.of(settings()))));
            return (EventFunction) h;
        } finally {
            System.clearProperty(Priming.SNAP_START_PROPERTY);
        }
    }

    /** A valid value for every setting the stack can set; every endpoint the twin. */
    private static Map<String, String> settings() {
        String url = "http://127.0.0.1:" + twin.getAddress().getPort();
        Map<String, String> m = new HashMap<>();
        for (Setting s : Setting.values()) {
            m.put(
                    s.name(),
                    switch (s) {
                        case VERIFY_RULES -> "[]";
                        case REGISTRY_URL -> url;
                        case REGISTRY_AUTH -> "none";
                        case BACKUP_COMPRESSION -> "zstd";
                        case ALERT_TOPIC_ARN -> "arn:aws:sns:us-east-1:123456789012:alerts";
                        case EXPECTED_ACCOUNT -> "123456789012";
                        case RELEASE_REPOSITORY -> "wordpress";
                        case DATABASE -> "wordpress";
                        case HOSTS -> s.defaultValue();
                        case SIGNING -> "managed";
                        case SIGNATURE_REQUIRED -> "[\"wordpress\"]";
                        case SIGNING_IDENTITIES ->
                                "[\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm\"]";
                        case SIGNING_TRUST_ROOTS, SIGNING_X509_TRUST_ROOTS -> "";
                        case SIGNATURE_REVOCATION_CHECK -> "enforce";
                        case REPLICATION_DESTINATIONS ->
                                "[{\"region\":\"eu-central-1\",\"account\":\"123456789012\"}]";
                        case REPLICATION_REPOSITORIES -> "[\"wordpress\"]";
                        default ->
                                s.defaultValue() != null && s.defaultValue().matches("-?[0-9]+")
                                        ? "1"
                                        : "x-"
                                                + s.name()
                                                        .toLowerCase(java.util.Locale.ROOT)
                                                        .replace('_', '-');
                    });
        }
        m.put("AWS_REGION", "us-east-1");
        m.put("AWS_ACCESS_KEY_ID", "unit");
        m.put("AWS_SECRET_ACCESS_KEY", "unit");
        m.put("AWS_ENDPOINT_URL", url);
        return m;
    }
}
