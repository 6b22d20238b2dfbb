package dev.quartermaster.ledger;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStatusHandler;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testutils.FaultyProxy;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.LocalBackends;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.testutils.RecordingCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.quartermaster.testutils.LocalBackends.BUCKET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults, injected into real backends: DynamoDB Local stopped and restarted in the middle of a
 * stream of events; S3 answering 503 for a while during a backup's commit. Failed deliveries are
 * retried the way Lambda retries them (the whole event, later). Nothing may be lost, duplicated or
 * half-written.
 */
class FaultInjectionIT {

    /**
     * Delivers like Lambda's async invoke: a failed event is tried again, a bounded number of
     * times.
     */
    private static String deliver(
            dev.quartermaster.common.EventFunction handler, byte[] event, AtomicInteger retries)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return Invoke.handler(handler, event).path("status").asText();
            } catch (RuntimeException e) {
                if (attempt == 40) {
                    throw e;
                }
                retries.incrementAndGet();
                Thread.sleep(250);
            }
        }
    }

    @Test
    void ledger_whenDynamoDbRestartsMidStream_retriedEventsLoseAndDuplicateNothing(
            @TempDir Path dir) throws Exception {
        LocalDynamoDb dynamo = LocalDynamoDb.persistent(dir.resolve("ddb"));
        try (var client = dynamo.client()) {
            LocalDynamoDb.createLedgerTable(client, "ledger");
        }
        Map<String, String> settings = new HashMap<>(dynamo.functionSettings("ledger"));
        Platform services = new Platform(Settings.of(settings)).withAlerts(new RecordingAlerts());
        ImageActionHandler handler =
                new ImageActionHandler(
                        new ImageLedger(LedgerRoot.store(services), services.alerts()));
        int events = 300;
        List<byte[]> deliveries = new ArrayList<>();
        Map<String, String> last = new HashMap<>();
        for (int i = 0; i < events; i++) {
            String tag = "tag-" + (i % 10);
            String digest = "sha256:" + String.format("%064x", i);
            deliveries.add(
                    Fixtures.text("image-action-push.json")
                            .replaceFirst("\"id\": \"[^\"]+\"", "\"id\": \"fault-" + i + "\"")
                            .replaceFirst(
                                    "\"time\": \"[^\"]+\"",
                                    "\"time\": \""
                                            + Instant.parse("2026-11-20T00:00:00Z").plusSeconds(i)
                                            + "\"")
                            .replaceFirst(
                                    "\"image-tag\": \"[^\"]+\"", "\"image-tag\": \"" + tag + "\"")
                            .replaceFirst(
                                    "\"image-digest\": \"[^\"]+\"",
                                    "\"image-digest\": \"" + digest + "\"")
                            .getBytes(StandardCharsets.UTF_8));
            last.put(tag, digest);
        }
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> results = new ArrayList<>();
        for (byte[] d : deliveries) {
            results.add(
                    pool.submit(
                            () -> {
                                String s = deliver(handler, d, retries);
                                done.incrementAndGet();
                                return s;
                            }));
        }
        while (done.get() < events / 3) {
            Thread.sleep(20);
        }
        // an outage in the middle of the stream, longer than the SDK's own retries ride out
        // (DynamoDB: 8 retries,
        // at most ≈6.4 s of back-off), so some deliveries really fail and come back the way Lambda
        // retries them
        LocalDynamoDb restarted = dynamo.restart(Duration.ofSeconds(8));
        int doneAtRestart = done.get();
        Map<String, Integer> statuses = new HashMap<>();
        for (Future<String> f : results) {
            statuses.merge(f.get(), 1, Integer::sum);
        }
        pool.shutdown();

        try (restarted) {
            assertThat(doneAtRestart).isLessThan(events); // the outage really was mid-stream
            assertThat(retries.get()).isPositive(); // and really failed some deliveries
            // a delivery that failed after its transaction committed comes back DUPLICATE: still
            // exactly once
            assertThat(statuses.getOrDefault("RECORDED", 0) + statuses.getOrDefault("DUPLICATE", 0))
                    .isEqualTo(events);
            var store = LedgerRoot.store(services);
            for (int t = 0; t < 10; t++) {
                var history = store.history("wordpress", "tag-" + t);
                Set<String> ids = new HashSet<>();
                history.forEach(h -> ids.add(h.eventId()));
                assertThat(history).hasSize(events / 10);
                assertThat(ids).hasSize(events / 10);
                assertThat(store.head("wordpress", "tag-" + t).orElseThrow().digest())
                        .isEqualTo(last.get("tag-" + t));
            }
        }
    }

    @Test
    void backupCommit_whenS3Answers503ForAWhile_isRetriedAndCommitsExactlyOnce() throws Exception {
        String database = "wpfault" + Long.toHexString(System.nanoTime());
        String key = "backups/" + database + "/2026/11/23/20261123T030000Z-fault.sql.gz";
        String staged = "staging/" + key.substring("backups/".length());
        var packed = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(packed)) {
            gz.write(
                    ("-- Dumping data for table `t`\nINSERT INTO `t` VALUES "
                                    + "(1,'x'),".repeat(4999)
                                    + "(2,'y');\nUNLOCK TABLES;\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        byte[] content = packed.toByteArray();
        String sha =
                HexFormat.of()
                        .formatHex(dev.quartermaster.registry.Digests.sha256().digest(content));
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(staged), RequestBody.fromBytes(content));
        }
        try (FaultyProxy proxy = new FaultyProxy(LocalBackends.s3().endpoint(), 10)) {
            Map<String, String> settings = new HashMap<>(LocalLedger.freshTableSettings());
            settings.put("AWS_ENDPOINT_URL_S3", proxy.endpoint());
            settings.put("BACKUP_BUCKET", BUCKET);
            settings.put("DATABASE", database);
            settings.put("DUMP_DOCUMENT", "Quartermaster-DumpDocument");
            var alerts = new RecordingAlerts();
            Platform services = LocalLedger.platform(settings, alerts);
            String commandId = "5f0c3e7a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
            RecordingCommands commands = new RecordingCommands();
            commands.output(
                    commandId,
                    "QM-DUMP {\"key\": \""
                            + key
                            + "\", \"bytes\": "
                            + content.length
                            + ", \"sha256\": \""
                            + sha
                            + "\", \"compression\": \"gzip\"}");
            dev.quartermaster.backup.BackupRoot.store(services)
                    .create(
                            BackupRecord.running(
                                    BackupRecord.Kind.BACKUP,
                                    database,
                                    Instant.parse("2026-11-23T03:00:00Z"),
                                    commandId,
                                    key,
                                    null));
            byte[] event =
                    Fixtures.text("ssm-command-success.json")
                            .replace("e8d3c0e4-71f7-4491-898f-c9b35bee5f3b", commandId)
                            .replace(
                                    "\"Quartermaster-DumpDocument-1A2B3C4D\"",
                                    "\"Quartermaster-DumpDocument\"")
                            .getBytes(StandardCharsets.UTF_8);
            AtomicInteger retries = new AtomicInteger();

            String status =
                    deliver(
                            new BackupStatusHandler(
                                    dev.quartermaster.backup.BackupRoot.service(
                                            services, commands)),
                            event,
                            retries);

            assertThat(proxy.refused()).isEqualTo(10);
            assertThat(status).isEqualTo("RECORDED");
            var record =
                    dev.quartermaster.backup.BackupRoot.store(services)
                            .byCommandId(commandId)
                            .orElseThrow();
            assertThat(record.status()).isEqualTo(BackupRecord.Status.VERIFIED);
            assertThat(alerts.published()).isEmpty();
        }
        try (var s3 = LocalBackends.s3().client()) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray())
                    .isEqualTo(content);
            assertThat(
                            s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".manifest.json"))
                                    .asUtf8String())
                    .contains(sha)
                    .contains("\"t\": 5000");
            assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(staged)).contents()).isEmpty();
        }
    }
}
