package dev.quartermaster.backup;

import dev.quartermaster.common.Platform;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.LocalBackends;
import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.testutils.RecordingCommands;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static dev.quartermaster.testutils.LocalBackends.BUCKET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backup handlers against DynamoDB Local and S3Mock; SSM is a recording fake of our CommandRunner
 * port.
 */
class BackupServiceIT {
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final RecordingCommands commands = new RecordingCommands();
    private Platform services;
    private BackupService backups;
    private String database;

    @BeforeEach
    void setUp() {
        database = "wp" + Long.toHexString(System.nanoTime());
        Map<String, String> settings = new HashMap<>(LocalLedger.freshTableSettings());
        settings.put("AWS_ENDPOINT_URL_S3", LocalBackends.s3().endpoint());
        settings.put("BACKUP_BUCKET", BUCKET);
        settings.put("DATABASE", database);
        settings.put("DB_CONTAINER", "wordpress-db-1");
        settings.put("DUMP_DOCUMENT", "Quartermaster-DumpDocument");
        settings.put("DRILL_DOCUMENT", "Quartermaster-DrillDocument");
        services = LocalLedger.platform(settings, alerts);
        backups = BackupRoot.service(services, commands);
    }

    private byte[] statusEvent(String commandId, String document, String status) {
        return Fixtures.text("ssm-command-success.json")
                .replace("e8d3c0e4-71f7-4491-898f-c9b35bee5f3b", commandId)
                .replace("\"Quartermaster-DumpDocument-1A2B3C4D\"", "\"" + document + "\"")
                .replace("\"Success\"", "\"" + status + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A small gzip'd dump: wp_posts with 3 rows, wp_options with 4. */
    private static byte[] dump() {
        String sql =
                "-- Table structure for table `wp_posts`\n-- Dumping data for table `wp_posts`\n"
                        + "INSERT INTO `wp_posts` VALUES (1,'a'),(2,'b),(c'),(3,'d');\nUNLOCK TABLES;\n"
                        + "-- Table structure for table `wp_options`\n-- Dumping data for table `wp_options`\n"
                        + "INSERT INTO `wp_options` VALUES\n(1),\n(2),\n(3),\n(4);\nUNLOCK TABLES;\n";
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(sql.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * What the host's dump leaves: the object under staging/ (it may write nowhere else) and its
     * QM-DUMP output line.
     */
    private void stage(String commandId, String key, byte[] content, String reportedSha) {
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(staged(key)), RequestBody.fromBytes(content));
        }
        commands.output(
                commandId,
                "qm-dump: dumping\nQM-DUMP {\"key\": \""
                        + key
                        + "\", \"database\": \""
                        + database
                        + "\", \"bytes\": "
                        + content.length
                        + ", \"sha256\": \""
                        + reportedSha
                        + "\", \"compression\": \"gzip\", \"durationMs\": 1200}\n");
    }

    private static String staged(String key) {
        return "staging/" + key.substring("backups/".length());
    }

    private void put(String key, byte[] content, String manifestSha) {
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
            String manifest =
                    "{\"key\": \""
                            + key
                            + "\", \"bytes\": "
                            + content.length
                            + ", \"sha256\": \""
                            + manifestSha
                            + "\", \"tables\": {\"wp_posts\": 3, \"wp_options\": 4}}";
            s3.putObject(
                    b -> b.bucket(BUCKET).key(key + ".manifest.json"),
                    RequestBody.fromString(manifest));
        }
    }

    private static java.util.List<String> keysUnder(String prefix) {
        try (var s3 = LocalBackends.s3().client()) {
            return s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                    .map(o -> o.key())
                    .toList();
        }
    }

    private static String sha(byte[] b) {
        return HexFormat.of().formatHex(dev.quartermaster.registry.Digests.sha256().digest(b));
    }

    @Test
    void start_sendsDumpToTaggedHostsAndRecordsRunning() {
        var result = Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        var sent = commands.sent().get(0);
        assertThat(sent.document()).isEqualTo("Quartermaster-DumpDocument");
        assertThat(sent.tagKey()).isEqualTo("qm:backup");
        assertThat(sent.parameters())
                .containsEntry(
                        "key",
                        "backups/"
                                + database
                                + "/2026/11/23/20261123T030000Z-89d1a02d-5ec.sql.zst") // zstd by
                // default
                .containsEntry("container", "wordpress-db-1")
                .doesNotContainKey("password");
        var record = BackupRoot.store(services).byCommandId(sent.commandId()).orElseThrow();
        assertThat(record.status()).isEqualTo(BackupRecord.Status.RUNNING);
    }

    @Test
    void start_whenScheduleEventRedelivered_sendsOneCommand() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var second = Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");

        assertThat(second.path("status").asText()).isEqualTo("DUPLICATE");
        assertThat(commands.sent()).hasSize(1);
    }

    @Test
    void start_whenTagNamesNoInstanceOrSeveral_recordsFailureAndAlerts() {
        commands.instancesWithTag(2);

        var result = Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");

        assertThat(commands.sent()).isEmpty();
        assertThat(result.path("details").path("status").asText()).isEqualTo("FAILED");
        var record =
                BackupRoot.store(services).list(BackupRecord.Kind.BACKUP, database, null).get(0);
        assertThat(record.status()).isEqualTo(BackupRecord.Status.FAILED);
        assertThat(record.error()).contains("2 instances carry the tag");
        assertThat(alerts.kinds()).containsExactly("BACKUP_FAILED");
    }

    @Test
    void start_whenTwoDeliveriesRace_sendsOneCommand() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var results = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 8; i++) {
                results.add(
                        pool.submit(
                                () ->
                                        Invoke.handler(
                                                new BackupStartHandler(backups),
                                                "scheduled-backup.json")));
            }
            for (var f : results) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(commands.sent()).hasSize(1);
    }

    @Test
    void status_whenTheDumpPrintedNoLine_failsAndCommitsNothing() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        String key = sent.parameters().get("key");
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(staged(key)), RequestBody.fromBytes(dump()));
        }

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        assertThat(result.path("details").path("error").asText()).contains("no QM-DUMP line");
        assertThat(keysUnder("backups/" + database)).isEmpty();
    }

    @Test
    void status_commitWritesTheRowCountsItCountedFromTheDump() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        String key = sent.parameters().get("key");
        byte[] content = dump();
        stage(sent.commandId(), key, content, sha(content));

        Invoke.handler(
                new BackupStatusHandler(backups),
                statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        try (var s3 = LocalBackends.s3().client()) {
            String manifest =
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".manifest.json"))
                            .asUtf8String();
            assertThat(manifest)
                    .contains("    \"wp_posts\": 3,\n")
                    .contains("    \"wp_options\": 4\n")
                    .contains("\"compression\": \"gzip\"");
        }
    }

    @Test
    void status_whenSuccessAndObjectMatchesManifest_commitsUnderBackupsAndVerifies() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        String key = sent.parameters().get("key");
        byte[] content = dump();
        stage(sent.commandId(), key, content, sha(content));

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));
        var again =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("VERIFIED");
        assertThat(again.path("status").asText()).isEqualTo("DUPLICATE");
        var latest = BackupRoot.store(services).latestVerified(database).orElseThrow();
        assertThat(latest.bytes()).isEqualTo(content.length);
        assertThat(latest.rows()).isEqualTo(7);
        assertThat(alerts.published()).isEmpty();
        assertThat(keysUnder("backups/" + database))
                .containsExactlyInAnyOrder(key, key + ".manifest.json");
        assertThat(keysUnder(staged(key))).isEmpty();
    }

    @Test
    void status_whenRetriedAfterTheCommit_verifiesTheCommittedBackup() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        String key = sent.parameters().get("key");
        byte[] content = "committed before a crash".getBytes(StandardCharsets.UTF_8);
        put(key, content, sha(content)); // the commit happened, the settle did not

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("VERIFIED");
    }

    @Test
    void status_whenObjectDoesNotHashToManifest_failedAndAlerted() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        byte[] content = dump();
        stage(sent.commandId(), sent.parameters().get("key"), content, "0".repeat(64));

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("FAILED");
        assertThat(result.path("details").path("error").asText()).contains("hashes to");
        assertThat(alerts.kinds()).containsExactly("BACKUP_FAILED");
        assertThat(BackupRoot.store(services).latestVerified(database)).isEmpty();
        assertThat(keysUnder("backups/" + database)).isEmpty(); // nothing bad is ever committed
    }

    @Test
    void status_whenSuccessButNoManifest_failed() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "Success"));

        assertThat(result.path("details").path("error").asText()).contains("no manifest");
        assertThat(alerts.kinds()).containsExactly("BACKUP_FAILED");
    }

    @Test
    void status_whenCommandFailed_failedAndAlerted() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "TimedOut"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("FAILED");
        assertThat(alerts.published().get(0).message()).contains("TimedOut");
    }

    @Test
    void status_whenInProgressOrForeignDocument_ignored() {
        Invoke.handler(new BackupStartHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);

        var inProgress =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DumpDocument", "InProgress"));
        var foreign =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "AWS-RunShellScript", "Success"));

        assertThat(inProgress.path("status").asText()).isEqualTo("IGNORED");
        assertThat(foreign.path("status").asText()).isEqualTo("IGNORED");
        assertThat(BackupRoot.store(services).byCommandId(sent.commandId()).orElseThrow().status())
                .isEqualTo(BackupRecord.Status.RUNNING);
    }

    @Test
    void watchdog_whenBackupRunningPastItsWindow_failsItAndAlerts() {
        var store = BackupRoot.store(services);
        store.create(
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        database,
                        Instant.now().minusSeconds(3 * 3600),
                        "cmd-old",
                        "backups/x.sql.gz",
                        null));

        var result = Invoke.handler(new BackupWatchdogHandler(backups), "scheduled-backup.json");

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(store.byCommandId("cmd-old").orElseThrow().status())
                .isEqualTo(BackupRecord.Status.FAILED);
        assertThat(alerts.kinds()).contains("BACKUP_FAILED", "BACKUP_MISSING");
    }

    /** A verified backup of the test's database, as backup-status leaves one. */
    private BackupRecord verifiedBackup(String commandId, String name) {
        var store = BackupRoot.store(services);
        BackupRecord r =
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        database,
                        Instant.parse("2026-11-22T03:00:00Z"),
                        commandId,
                        "backups/" + database + "/" + name + ".sql.gz",
                        null);
        store.create(r);
        store.settle(r.verified(10, "ab", 2, 7, 1500, Instant.now()));
        return r;
    }

    @Test
    void drill_restoresLatestVerifiedIntoScratchNeverLive() {
        var store = BackupRoot.store(services);
        BackupRecord r = verifiedBackup("cmd-1", "a");

        var result = Invoke.handler(new RestoreDrillHandler(backups), "scheduled-backup.json");

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        var sent = commands.sent().get(0);
        assertThat(sent.document()).isEqualTo("Quartermaster-DrillDocument");
        assertThat(sent.parameters())
                .containsEntry("key", r.key())
                .containsEntry("database", database);
    }

    @Test
    void drillStatus_readsTheEvidenceFromTheCommandOutput() {
        var store = BackupRoot.store(services);
        BackupRecord r = verifiedBackup("cmd-2", "b");
        Invoke.handler(new RestoreDrillHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);
        commands.output(
                sent.commandId(),
                "noise\nQM-EVIDENCE {\"tables\": 2, \"rows\": 7, \"mismatches\": {}, \"durationMs\": 900, \"result\": \"PASS\"}\n");

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DrillDocument", "Success"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("PASSED");
        var drill = store.list(BackupRecord.Kind.DRILL, database, null).get(0);
        assertThat(drill.rows()).isEqualTo(7);
    }

    @Test
    void drillStatus_whenSuccessButNoEvidencePrinted_failed() {
        var store = BackupRoot.store(services);
        BackupRecord r = verifiedBackup("cmd-3", "c");
        Invoke.handler(new RestoreDrillHandler(backups), "scheduled-backup.json");
        var sent = commands.sent().get(0);

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups),
                        statusEvent(sent.commandId(), "Quartermaster-DrillDocument", "Success"));

        assertThat(result.path("details").path("settled").asText()).isEqualTo("FAILED");
        assertThat(alerts.kinds()).containsExactly("DRILL_FAILED");
    }

    @Test
    void drill_whenNoVerifiedBackup_alerts() {
        var result = Invoke.handler(new RestoreDrillHandler(backups), "scheduled-backup.json");

        assertThat(result.path("status").asText()).isEqualTo("IGNORED");
        assertThat(alerts.kinds()).containsExactly("DRILL_FAILED");
        assertThat(commands.sent()).isEmpty();
    }

    @Test
    void status_whenMalformed_rejected() {
        var bad =
                Fixtures.text("ssm-command-success.json")
                        .replace("\"command-id\": \"e8d3c0e4-71f7-4491-898f-c9b35bee5f3b\",", "");

        var result =
                Invoke.handler(
                        new BackupStatusHandler(backups), bad.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(EventParser.JSON.valueToTree(result).toString()).contains("command-id");
    }
}
