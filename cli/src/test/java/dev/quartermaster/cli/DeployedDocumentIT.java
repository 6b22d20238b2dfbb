package dev.quartermaster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStatusHandler;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.infra.QuartermasterStack;
import dev.quartermaster.infra.StackConfig;
import dev.quartermaster.testkit.LocalContext;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalMariaDb;
import dev.quartermaster.testkit.LocalS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end without AWS: the dump command exactly as the synthesised SSM document carries it (the
 * text SSM would run on the host, parameters substituted) dumps a real MariaDB into S3Mock, and the
 * backup-status function, told by an SSM-shaped event that the command succeeded, verifies it.
 */
public class DeployedDocumentIT {

    @Test
    @SuppressWarnings("unchecked")
    void dumpDocumentAsDeployed_producesABackupThatTheStatusFunctionVerifies(@TempDir Path dir)
            throws Exception {
        Files.writeString(
                Files.createDirectories(dir.resolve("asset")).resolve("placeholder.txt"), "x");
        Template template =
                Template.fromStack(
                        new QuartermasterStack(
                                new App(),
                                "T",
                                StackProps.builder().build(),
                                StackConfig.from(java.util.Map.of()),
                                b -> Code.fromAsset(dir.resolve("asset").toString())));
        Map<String, Object> dump =
                template.findResources("AWS::SSM::Document").entrySet().stream()
                        .filter(e -> e.getKey().contains("DumpDocument"))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
        Map<String, Object> step =
                ((List<Map<String, Object>>)
                                ((Map<String, Object>)
                                                ((Map<String, Object>) dump.get("Properties"))
                                                        .get("Content"))
                                        .get("mainSteps"))
                        .get(0);
        String command =
                String.join(
                        "\n",
                        (List<String>)
                                ((Map<String, Object>) step.get("inputs")).get("runCommand"));
        String key = "backups/wordpress/2026/11/23/20261123T030000Z.sql.gz";
        Map<String, String> params =
                Map.of(
                        "bucket",
                        "qm-backups",
                        "key",
                        key,
                        "database",
                        "wordpress",
                        "container",
                        "",
                        "compression",
                        "gzip",
                        "passwordParameter",
                        "");
        for (var p : params.entrySet()) {
            command = command.replace("{{ " + p.getKey() + " }}", p.getValue());
        }

        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), List.of("qm-backups"));
                LocalMariaDb db = LocalMariaDb.start(dir.resolve("db"));
                LocalDynamoDb dynamo = LocalDynamoDb.inMemory()) {
            db.seedWordPress("wordpress", "Deployed document", 200, 800);
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
            pb.environment().remove("AWS_CA_BUNDLE");
            pb.environment().remove("AWS_PROFILE");
            pb.environment().putAll(s3.cliEnvironment());
            pb.environment()
                    .put(
                            "QM_DB_DEFAULTS_FILE",
                            db.defaultsFile()
                                    .toString()); // the host's client options (socket, user)
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();

            try (var client = dynamo.client()) {
                LocalDynamoDb.createLedgerTable(client, "ledger");
            }
            Map<String, String> settings = new HashMap<>(dynamo.functionSettings("ledger"));
            settings.put("AWS_ENDPOINT_URL_S3", s3.endpoint());
            settings.put("BACKUP_BUCKET", "qm-backups");
            settings.put("DATABASE", "wordpress");
            settings.put("DUMP_DOCUMENT", "Quartermaster-DumpDocument-ABC");
            settings.put("DRILL_DOCUMENT", "Quartermaster-DrillDocument-ABC");
            Platform services = new Platform(Settings.of(settings));
            String commandId = "0b6a6b70-6a1e-4c55-8d56-1a2b3c4d5e6f";
            dev.quartermaster.backup.BackupRoot.store(services)
                    .create(
                            BackupRecord.running(
                                    BackupRecord.Kind.BACKUP,
                                    "wordpress",
                                    Instant.parse("2026-11-23T03:00:00Z"),
                                    commandId,
                                    key,
                                    null));
            String event =
                    "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"EC2 Command Invocation Status-change Notification\","
                            + "\"source\":\"aws.ssm\",\"account\":\"1\",\"time\":\"2026-11-23T03:01:00Z\",\"region\":\"us-east-1\",\"resources\":[],"
                            + "\"detail\":{\"command-id\":\""
                            + commandId
                            + "\",\"document-name\":\"Quartermaster-DumpDocument-ABC\","
                            + "\"instance-id\":\"i-1\",\"status\":\"Success\"}}";
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            new BackupStatusHandler(
                            dev.quartermaster.backup.BackupRoot.service(
                                    services, ssmReporting(commandId, out)))
                    .handleRequest(
                            new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
                            result,
                            new LocalContext("backup-status", 60));
            JsonNode r = EventParser.JSON.readTree(result.toByteArray());

            assertThat(r.path("details").path("settled").asText())
                    .as(r.toString())
                    .isEqualTo("VERIFIED");
            assertThat(r.path("details").path("tables").asInt()).isEqualTo(5);
            assertThat(r.path("details").path("rows").asLong())
                    .isEqualTo(
                            Long.parseLong(
                                    db.sql(
                                            "wordpress",
                                            "SELECT (SELECT COUNT(*) FROM wp_posts) + (SELECT COUNT(*) FROM wp_postmeta)"
                                                    + " + (SELECT COUNT(*) FROM wp_options) + (SELECT COUNT(*) FROM wp_users) + (SELECT COUNT(*) FROM wp_comments)")));
        }
    }

    /** SSM as backup-status sees it: the command's output, as the agent captured it. */
    private static dev.quartermaster.host.CommandRunner ssmReporting(
            String commandId, String output) {
        return new dev.quartermaster.host.CommandRunner() {
            @Override
            public String send(
                    String document,
                    Map<String, String> parameters,
                    dev.quartermaster.contract.Host host,
                    String comment) {
                throw new UnsupportedOperationException("this test sends nothing");
            }

            @Override
            public java.util.Optional<String> output(String id) {
                return id.equals(commandId)
                        ? java.util.Optional.of(output)
                        : java.util.Optional.empty();
            }
        };
    }
}
