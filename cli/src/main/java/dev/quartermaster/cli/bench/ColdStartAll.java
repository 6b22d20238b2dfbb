package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalMoto;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.LocalS3;
import dev.quartermaster.testkit.OciImages;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every function's first real event after a SnapStart restore: each function's own jar in a fresh
 * JVM, its constructor run (priming included), the checkpoint and restore hooks, then one sample
 * event of the kind it receives, then {@value #WARM} more of the same kind (fresh ids; an image of
 * its own where the event names one), against real local twins: DynamoDB Local, S3Mock, Debian's
 * registry and moto (SSM, SNS). What a user feels: the first event over the same event's median
 * warm time. The old figure stays: the first invoke, added to the empty handler's JVM, over that
 * JVM. The worst of each is the summary.
 */
final class ColdStartAll {
    private ColdStartAll() {}

    /**
     * The worst functions: by the old ratio (first invoke over an empty JVM), and by the first
     * event over the same event warm.
     */
    record Worst(String name, double ratio, String firstVsWarmName, double firstVsWarm) {}

    /** Events of the same kind each function is given warm, after its first (a JVM each run). */
    static final int WARM = 5;

    /**
     * How far apart every event arrives, the first and the warm ones alike. Back to back, a warm
     * event finds the CPU caches its predecessor filled, which no real event does (the scheduled
     * ones come minutes apart): measured here, a sub-millisecond event's first/warm was 2.2 to 2.5
     * back to back, 1.0 to 1.15 with this gap before each, and after a 500 ms idle the first event
     * alone took twice as long again.
     */
    static final int GAP_MS = 100;

    /** Which sample event each function gets (the kind its rule sends it). */
    private static String eventFile(FunctionSpec f) {
        return switch (f.name()) {
            case "image-action", "image-verify", "image-archive" -> "image-action-push.json";
            case "image-scan" -> "image-scan-clean.json";
            case "image-replication" -> "replication-success.json";
            case "backup-status", "release-status" -> "ssm-command-success.json";
            case "lifecycle-guard" -> "ecr-lifecycle-expired.json";
            default -> "scheduled-backup.json"; // the scheduled ones
        };
    }

    /**
     * Every function's own settings, as the stack sets them, pointed at {@code registryUrl} and
     * alerting to {@code topic}; under SnapStart.
     */
    static Map<String, String> settings(String registryUrl, String topic) {
        Map<String, String> env = new HashMap<>();
        env.putAll(
                Map.of(
                        "ALERT_TOPIC_ARN",
                        topic,
                        "AWS_LAMBDA_INITIALIZATION_TYPE",
                        "snap-start",
                        "REGISTRY_URL",
                        registryUrl,
                        "REGISTRY_AUTH",
                        "none",
                        "MANAGED_REPOSITORIES",
                        "wordpress",
                        "DATABASE",
                        LocalEnvironment.DATABASE,
                        "RELEASE_REPOSITORY",
                        "wordpress",
                        "RELEASE_IMAGE_URI",
                        java.net.URI.create(registryUrl).getAuthority() + "/wordpress"));
        env.putAll(LocalEnvironment.bucketSettings());
        env.putAll(
                Map.of(
                        "DUMP_DOCUMENT",
                        "Quartermaster-Dump",
                        "DRILL_DOCUMENT",
                        "Quartermaster-Drill",
                        "RELEASE_DOCUMENT",
                        "Quartermaster-Release",
                        "RELEASE_CHECK_DOCUMENT",
                        "Quartermaster-Check",
                        "COMMAND_LOG_GROUP",
                        "/quartermaster/commands",
                        "REPLICATION_DESTINATIONS",
                        "[{\"region\":\"eu-central-1\",\"account\":\"123456789012\"}]",
                        "REPLICATION_REPOSITORIES",
                        "[\"wordpress\"]"));
        return env;
    }

    /**
     * The functions {@code names} name, in the catalog's order (null or empty: all of them).
     *
     * @throws IllegalArgumentException naming what is not a function, and what is
     */
    static List<FunctionSpec> selected(List<String> names) {
        if (names == null || names.isEmpty()) {
            return Catalog.ALL;
        }
        List<String> unknown =
                names.stream().filter(n -> Catalog.byName(n.strip()).isEmpty()).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "no function "
                            + String.join(", ", unknown)
                            + " (the functions: "
                            + String.join(
                                    ", ", Catalog.ALL.stream().map(FunctionSpec::name).toList())
                            + ")");
        }
        List<String> wanted = names.stream().map(String::strip).toList();
        return Catalog.ALL.stream().filter(f -> wanted.contains(f.name())).toList();
    }

    static Worst run(
            List<FunctionSpec> functions, int runs, long emptyMs, Path probeClasses, Path dir)
            throws Exception {
        Path home = LocalEnvironment.home();
        // the upkeep runs this process makes (batchPayload) log what a warning is only
        org.apache.logging.log4j.core.config.Configurator.setRootLevel(
                org.apache.logging.log4j.Level.WARN);
        try (LocalDynamoDb dynamo = LocalDynamoDb.inMemory();
                var dynamoClient = dynamo.client();
                LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("qm-backups", "qm-archive"));
                LocalRegistry registry = LocalRegistry.filesystem(dir.resolve("registry"));
                LocalMoto moto = LocalMoto.start(dir.resolve("moto"))) {
            LocalDynamoDb.createLedgerTable(dynamoClient, "bench");
            var ssm = ssmTwin();
            // an image of its own for every event that names one (an archived image is not archived
            // again): 6.4.x all keep 6.4's promise
            List<String> digests = new ArrayList<>();
            OciImages.Pusher pusher = new OciImages.Pusher(registry.url());
            for (int i = 0; i < runs * (WARM + 1); i++) {
                digests.add(
                        pusher.push(
                                "wordpress",
                                "wp-6.4-v1",
                                OciImages.wordpressLike(
                                        "6.4." + (3 + i), 1, 64 * 1024, 64 * 1024)));
            }
            String digest = digests.get(0);
            Map<String, String> env =
                    new HashMap<>(
                            Map.of(
                                    "TABLE_NAME",
                                    "bench",
                                    "AWS_ENDPOINT_URL",
                                    moto.endpoint(),
                                    "AWS_ENDPOINT_URL_DYNAMODB",
                                    dynamo.endpoint(),
                                    "AWS_ENDPOINT_URL_S3",
                                    s3.endpoint(),
                                    "AWS_REGION",
                                    "us-east-1",
                                    "AWS_ACCESS_KEY_ID",
                                    "bench",
                                    "AWS_SECRET_ACCESS_KEY",
                                    "bench",
                                    "AWS_EMF_ENVIRONMENT",
                                    "Local",
                                    "POWERTOOLS_METRICS_NAMESPACE",
                                    "Quartermaster",
                                    "POWERTOOLS_LOG_LEVEL",
                                    "WARN"));
            env.put("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:" + ssm.getAddress().getPort());
            String topic;
            try (var sns =
                    new dev.quartermaster.common.AwsClients(
                                    dev.quartermaster.common.Settings.of(env))
                            .sns()) {
                topic = sns.createTopic(b -> b.name("qm-bench-alerts")).topicArn();
            }
            env.putAll(settings(registry.url(), topic));
            Worst worst = new Worst("", 0, "", 0);
            for (FunctionSpec f : functions) {
                String cp =
                        BenchCommand.functionJar(f.bundle()) + File.pathSeparator + probeClasses;
                String template = Files.readString(home.resolve("events/" + eventFile(f)));
                String kind = eventFile(f);
                // by job name: the three functions that are only an upkeep's (image-archive, whose
                // reconcile is one too, is measured on a push, the event it gets most)
                var upkeep = dev.quartermaster.contract.Upkeep.byName(f.name());
                String batch =
                        upkeep.isEmpty() ? null : batchPayload(f, upkeep.get(), env, template);
                if (batch != null) {
                    template = batch;
                    kind = "a " + upkeep.get().maps().get(0).label() + " batch";
                }
                List<Long> invoke = new ArrayList<>();
                List<Long> firstUs = new ArrayList<>();
                List<Long> warmUs = new ArrayList<>();
                String last = "";
                for (int i = 0; i < runs; i++) {
                    List<Path> events = new ArrayList<>();
                    for (int k = 0; k <= WARM; k++) {
                        events.add(event(dir, f, template, digests.get(i * (WARM + 1) + k)));
                    }
                    Map<String, String> own = new HashMap<>(env);
                    own.put("QM_PROBE_TIMEOUT_MS", Integer.toString(f.timeoutSeconds() * 1000));
                    own.put("QM_PROBE_GAP_MS", Integer.toString(GAP_MS));
                    BenchCommand.Probe p =
                            BenchCommand.probe(
                                    cp,
                                    f.handlerClass(),
                                    events.get(0),
                                    events.subList(1, events.size()),
                                    own,
                                    null);
                    invoke.add(BenchCommand.phase(p.phases(), "invoke-ms"));
                    firstUs.add(BenchCommand.phase(p.phases(), "invoke-us"));
                    warmUs.add(BenchCommand.median(BenchCommand.phases(p.phases(), "warm-us")));
                    last = p.phases() + " " + p.status();
                }
                long median = BenchCommand.median(invoke);
                double ratio = (double) (emptyMs + median) / emptyMs;
                long first = BenchCommand.median(firstUs);
                long warm = Math.max(1, BenchCommand.median(warmUs));
                double firstVsWarm = (double) first / warm;
                System.out.printf(
                        "%-18s first event after restore %6.1f ms, warm %6.1f ms: first/warm %5.2f  (old ratio %.2f)  [%s]%n",
                        f.name(),
                        first / 1e3,
                        warm / 1e3,
                        firstVsWarm,
                        ratio,
                        last.replaceAll(" hooks=\\S+", "").replaceAll(" warm-us=\\S+", "")
                                + " "
                                + kind);
                if (ratio > worst.ratio()) {
                    worst =
                            new Worst(
                                    f.name(), ratio, worst.firstVsWarmName(), worst.firstVsWarm());
                }
                if (firstVsWarm > worst.firstVsWarm()) {
                    worst = new Worst(worst.name(), worst.ratio(), f.name(), firstVsWarm);
                }
            }
            ssm.stop(0);
            return worst;
        }
    }

    /**
     * What the state machine sends an upkeep function most: a batch of its first map (every
     * environment a map's children restore meets one first; the plan and the fold come once a run).
     * Captured from a whole run in this process, the schedule's {@code event} through the local
     * engine and the function built as bin/qm builds it, against the same twins, which also leaves
     * the run's files the batch reads; the same batch again changes no outcome. Null when the run
     * had nothing to batch.
     */
    private static String batchPayload(
            FunctionSpec f,
            dev.quartermaster.contract.Upkeep upkeep,
            Map<String, String> env,
            String event)
            throws Exception {
        Map<String, String> own = new HashMap<>(env);
        own.remove("AWS_LAMBDA_INITIALIZATION_TYPE"); // built here, not snapshotted
        var platform =
                new dev.quartermaster.common.Platform(dev.quartermaster.common.Settings.of(own));
        var handler =
                dev.quartermaster.app.Handlers.create(
                        f.name(), dev.quartermaster.app.Wiring.of(platform));
        var s3 = dev.quartermaster.common.S3Clients.create(platform.clients());
        String bucket = platform.settings().get(dev.quartermaster.contract.Setting.ARCHIVE_BUCKET);
        List<String> batches = new ArrayList<>();
        var sink = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        var engine =
                new dev.quartermaster.upkeep.UpkeepEngine(
                        dev.quartermaster.contract.UpkeepMachine.definition(upkeep, 1, 0),
                        "bench-" + f.name(),
                        payload -> {
                            if ("batch"
                                    .equals(
                                            payload.path(
                                                            dev.quartermaster.contract.Upkeep
                                                                    .FIELD_STEP)
                                                    .asText())) {
                                batches.add(payload.toString());
                            }
                            try {
                                return dev.quartermaster.cli.local.LocalInvoke.call(
                                        handler,
                                        f.name(),
                                        payload.toString()
                                                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                        sink);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        new dev.quartermaster.upkeep.S3RunFiles(() -> s3, bucket),
                        dev.quartermaster.upkeep.UpkeepEngine.Listener.NONE);
        var out =
                engine.run(
                        dev.quartermaster.events.EventParser.readTree(
                                event.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        "bench-" + System.nanoTime(),
                        java.time.Instant.now());
        if (!"RECORDED".equals(out.path("status").asText())) {
            throw new IllegalStateException(
                    f.name() + "'s run for the bench did not end RECORDED: " + out);
        }
        return batches.isEmpty() ? null : batches.get(0);
    }

    /**
     * One event of {@code f}'s kind: a fresh id, and where the event names an image, {@code
     * digest}, or a digest of its own.
     */
    private static Path event(Path dir, FunctionSpec f, String template, String digest)
            throws java.io.IOException {
        Path ev = Files.createTempFile(dir, "event", ".json");
        String text =
                template.replaceFirst(
                                "\"image-digest\": \"sha256:[a-f0-9]{64}\"",
                                "\"image-digest\": \"" + digest + "\"")
                        .replaceFirst(
                                "\"id\": \"[^\"]+\"",
                                "\"id\": \"bench-" + System.nanoTime() + "\"");
        if (f.name().equals("image-replication")
                || f.name().equals("image-scan")) { // a digest of its own each time: a first, not a
            // duplicate
            text =
                    text.replaceFirst(
                            "sha256:[a-f0-9]{64}",
                            OciImages.sha256(
                                    ("bench-" + System.nanoTime())
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Files.writeString(ev, text);
        return ev;
    }

    /**
     * SSM as the functions' first events meet it (moto 5.2 has no DescribeInstanceInformation): one
     * managed instance carries any tag, a command sent gets an id, no command has output yet.
     */
    private static com.sun.net.httpserver.HttpServer ssmTwin() throws java.io.IOException {
        var server =
                com.sun.net.httpserver.HttpServer.create(
                        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                x -> {
                    x.getRequestBody().readAllBytes();
                    String target =
                            java.util.Objects.requireNonNullElse(
                                    x.getRequestHeaders().getFirst("X-Amz-Target"), "");
                    String body =
                            switch (target.substring(target.indexOf('.') + 1)) {
                                case "DescribeInstanceInformation" ->
                                        "{\"InstanceInformationList\":[{\"InstanceId\":\"i-0abc1234def567890\",\"PingStatus\":\"Online\"}]}";
                                case "SendCommand" ->
                                        "{\"Command\":{\"CommandId\":\""
                                                + java.util.UUID.randomUUID()
                                                + "\",\"Status\":\"Pending\"}}";
                                case "ListCommands" -> "{\"Commands\":[]}";
                                default -> null;
                            };
                    byte[] bytes =
                            (body == null
                                            ? "{\"__type\":\"InvocationDoesNotExist\",\"message\":\"none\"}"
                                            : body)
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    x.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
                    x.sendResponseHeaders(body == null ? 400 : 200, bytes.length);
                    x.getResponseBody().write(bytes);
                    x.close();
                });
        server.start();
        return server;
    }
}
