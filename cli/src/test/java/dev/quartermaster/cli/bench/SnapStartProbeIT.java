package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.testkit.LocalDynamoDb;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * image-action from its own function jar in a fresh JVM, as SnapStart runs it: the constructor
 * primes the first-event path, then every checkpoint hook registered through org.crac runs
 * (Powertools metrics' among them: it must not fail, as it did when its class list named AspectJ
 * classes the jar lacks), then a real event records. Priming leaves nothing in the table.
 */
public class SnapStartProbeIT {

    @org.junit.jupiter.api.BeforeAll
    static void projectRoot() {
        // the function jars and the sample events are found from the project root, as bin/qm says
        // with -Dqm.home
        System.setProperty(
                "qm.home",
                Path.of(System.getProperty("qm.repo.root", ".."))
                        .toAbsolutePath()
                        .normalize()
                        .toString());
    }

    /** A function's settings under SnapStart, every AWS call to {@code endpoint}. */
    private static Map<String, String> snapStartEnvironment(String endpoint) {
        return new HashMap<>(
                Map.of(
                        "TABLE_NAME",
                        "probe",
                        "AWS_ENDPOINT_URL",
                        endpoint,
                        "AWS_REGION",
                        "us-east-1",
                        "AWS_ACCESS_KEY_ID",
                        "probe",
                        "AWS_SECRET_ACCESS_KEY",
                        "probe",
                        "AWS_EMF_ENVIRONMENT",
                        "Local",
                        "POWERTOOLS_METRICS_NAMESPACE",
                        "Quartermaster",
                        "AWS_LAMBDA_INITIALIZATION_TYPE",
                        "snap-start"));
    }

    @Test
    void imageAction_primedCheckpointedAndRestored_recordsTheFirstEvent_andPrimingWroteNothing()
            throws Exception {
        Path jar = BenchCommand.functionJar(Catalog.IMAGE_ACTION.bundle());
        Path probeClasses =
                Path.of(
                        ColdStartProbe.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        try (LocalDynamoDb dynamo = LocalDynamoDb.inMemory();
                var client = dynamo.client()) {
            LocalDynamoDb.createLedgerTable(client, "probe");
            Map<String, String> env = snapStartEnvironment(dynamo.endpoint());
            Path event =
                    BenchCommand.freshEvent(
                            LocalEnvironment.home().resolve("events/image-action-push.json"));
            try {
                // probe() fails unless the process exits 0 and the result says RECORDED
                BenchCommand.Probe p =
                        BenchCommand.probe(
                                jar + File.pathSeparator + probeClasses,
                                Catalog.IMAGE_ACTION.handlerClass(),
                                event,
                                env);
                assertThat(p.phases())
                        .matches("init-ms=\\d+ invoke-ms=\\d+ invoke-us=\\d+ hooks=[1-9]\\d*");
            } finally {
                Files.deleteIfExists(event);
            }
            var items = client.scan(b -> b.tableName("probe")).items();
            assertThat(items).isNotEmpty();
            assertThat(items)
                    .noneMatch(
                            i ->
                                    i.toString().contains("qm-priming")
                                            || i.toString().contains("QM#PRIMING"));
        }
    }

    /**
     * The other jars: a handler of each, primed (the common path: JSON, log line, metrics),
     * checkpointed and restored, then given an event of the wrong type, which it rejects (no
     * backend needed).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "archive-scrub, ARCHIVE_BUCKET=qm-archive",
        "backup-watchdog, BACKUP_BUCKET=qm-backups;DATABASE=wordpress"
    })
    void otherJars_primedCheckpointedAndRestored_handleTheirFirstEvent(
            String function, String settings) throws Exception {
        var spec = Catalog.byName(function).orElseThrow();
        Path jar = BenchCommand.functionJar(spec.bundle());
        Path probeClasses =
                Path.of(
                        ColdStartProbe.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Map<String, String> env = snapStartEnvironment("http://127.0.0.1:9");
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:000000000000:qm-probe-alerts");
        for (String kv : settings.split(";")) {
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        Path event = Files.createTempFile("qm-event", ".json");
        try {
            Files.writeString(
                    event,
                    "{\"version\":\"0\",\"id\":\"probe\",\"detail-type\":\"Something Else\",\"source\":\"aws.ecr\","
                            + "\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}");
            BenchCommand.Probe p =
                    BenchCommand.probe(
                            jar + File.pathSeparator + probeClasses,
                            spec.handlerClass(),
                            event,
                            env,
                            "REJECTED");
            assertThat(p.phases())
                    .as(function)
                    .matches("init-ms=\\d+ invoke-ms=\\d+ invoke-us=\\d+ hooks=[1-9]\\d*");
        } finally {
            Files.deleteIfExists(event);
        }
    }

    /**
     * Every function, primed under SnapStart with every AWS endpoint and the registry pointed at a
     * recorder that answers 404 to everything: its priming reaches the table (GetItem), S3 where
     * the function reads it (HEAD/GET), SSM where it sends or reads commands (reads only), the
     * registry where it has one (GET /v2/, no credentials), and never writes: no PutObject,
     * SendCommand, Publish or item write, not even a transaction its condition would cancel
     * (image-action builds its transaction and does not send it). The functions' own primers
     * (common/Primer) run in the checkpoint hook: the status functions look up a command nobody
     * sent.
     */
    @Test
    void everyFunction_primingReachesItsFirstCalls_andWritesNothing() throws Exception {
        java.util.List<String> seen =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        var server =
                com.sun.net.httpserver.HttpServer.create(
                        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                x -> {
                    String auth =
                            java.util.Objects.requireNonNullElse(
                                    x.getRequestHeaders().getFirst("Authorization"), "");
                    java.util.regex.Matcher scope =
                            java.util.regex.Pattern.compile("/us-east-1/([a-z0-9-]+)/aws4_request")
                                    .matcher(auth);
                    String service = scope.find() ? scope.group(1) : "registry";
                    String target =
                            java.util.Objects.requireNonNullElse(
                                    x.getRequestHeaders().getFirst("X-Amz-Target"), "");
                    seen.add(
                            service
                                    + " "
                                    + x.getRequestMethod()
                                    + " "
                                    + (target.isEmpty()
                                            ? x.getRequestURI().getPath()
                                            : target.substring(target.indexOf('.') + 1)));
                    x.getRequestBody().readAllBytes();
                    x.sendResponseHeaders(404, -1);
                    x.close();
                });
        server.start();
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        Path probeClasses =
                Path.of(
                        ColdStartProbe.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path event = Files.createTempFile("qm-event", ".json");
        try {
            Files.writeString(
                    event,
                    "{\"version\":\"0\",\"id\":\"probe\",\"detail-type\":\"Something Else\",\"source\":\"aws.nothing\","
                            + "\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}");
            for (var spec : Catalog.ALL) {
                seen.clear();
                Map<String, String> env = snapStartEnvironment(endpoint);
                env.putAll(
                        ColdStartAll.settings(
                                endpoint, "arn:aws:sns:us-east-1:000000000000:qm-probe-alerts"));
                BenchCommand.probe(
                        BenchCommand.functionJar(spec.bundle()) + File.pathSeparator + probeClasses,
                        spec.handlerClass(),
                        event,
                        env,
                        "REJECTED");
                java.util.List<String> calls = java.util.List.copyOf(seen);
                String name = spec.name();
                assertThat(calls).as(name + " reads its table").contains("dynamodb POST GetItem");
                boolean s3 =
                        spec.settings().contains(dev.quartermaster.contract.Setting.ARCHIVE_BUCKET)
                                || spec.settings()
                                        .contains(dev.quartermaster.contract.Setting.DUMP_DOCUMENT);
                boolean ssm =
                        spec.settings().contains(dev.quartermaster.contract.Setting.DUMP_DOCUMENT)
                                || spec.settings()
                                        .contains(
                                                dev.quartermaster.contract.Setting
                                                        .RELEASE_DOCUMENT);
                boolean registry =
                        spec.settings().contains(dev.quartermaster.contract.Setting.REGISTRY_URL)
                                && !spec.settings()
                                        .contains(
                                                dev.quartermaster.contract.Setting
                                                        .RELEASE_DOCUMENT);
                assertThat(calls.stream().anyMatch(c -> c.startsWith("s3 HEAD")))
                        .as(name + " reaches S3: " + calls)
                        .isEqualTo(s3);
                assertThat(calls.stream().anyMatch(c -> c.startsWith("ssm ")))
                        .as(name + " reaches SSM: " + calls)
                        .isEqualTo(ssm);
                assertThat(calls.contains("registry GET /v2/"))
                        .as(name + " reaches the registry: " + calls)
                        .isEqualTo(registry);
                assertThat(calls)
                        .as(name + " writes nothing")
                        .allMatch(
                                c ->
                                        c.matches(
                                                        "(s3|registry) (GET|HEAD) .*|[a-z0-9-]+ POST (Get|Describe|List|Query|Scan|BatchGet)[A-Za-z]*")
                                                && !c.matches(".* GetAuthorizationToken"));
            }
        } finally {
            server.stop(0);
            Files.deleteIfExists(event);
        }
    }
}
