package dev.quartermaster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.StackOutput;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.host.SsmCommandRunner;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.testkit.LocalDynamoDb;
import dev.quartermaster.testkit.LocalMoto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulator tier: moto's server on 127.0.0.1 stands in for AWS. The resources a deployed stack
 * would have (table, bucket, topic, documents, repository) are created here through the SDK, since
 * moto's CloudFormation cannot deploy this stack (rule targets on Lambda aliases fail); an outputs
 * file is written as `cdk deploy --outputs-file` would. Then the operator commands run with --aws,
 * as a user runs them (a separate JVM, AWS_ENDPOINT_URL pointing at moto), and each AWS adapter
 * runs against it.
 */
public class AwsModeEmulatorIT {
    private static final String TABLE = "qm-ledger";
    private static final String BUCKET = "qm-backups";
    private static final String ALERT_TABLE = "qm-alerts";
    private static LocalMoto moto;
    private static Path home;
    private static String topicArn;
    private static Map<String, String> env;
    private static String queueUrl;

    private static <
                    B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>,
                    C>
            C client(B builder) {
        return builder.endpointOverride(URI.create(moto.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("test", "test")))
                .build();
    }

    @BeforeAll
    static void emulatedAccount() throws Exception {
        home = Files.createTempDirectory("qm-emulator");
        moto = LocalMoto.start(home.resolve("moto"));
        try (DynamoDbClient ddb = client(DynamoDbClient.builder())) {
            LocalDynamoDb.createLedgerTable(ddb, TABLE);
            LocalDynamoDb.createAlertTable(ddb, ALERT_TABLE);
        }
        try (S3Client s3 = client(S3Client.builder().forcePathStyle(true))) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        try (SnsClient sns = client(SnsClient.builder())) {
            topicArn = sns.createTopic(b -> b.name("qm-alerts")).topicArn();
        }
        try (SsmClient ssm = client(SsmClient.builder())) {
            for (String doc : List.of("QmDump", "QmRestore", "QmDrill")) {
                ssm.createDocument(
                        b ->
                                b.name(doc)
                                        .documentType("Command")
                                        .documentFormat("JSON")
                                        .content(
                                                "{\"schemaVersion\":\"2.2\",\"description\":\"qm\",\"parameters\":{},\"mainSteps\":[{\"action\":\"aws:runShellScript\","
                                                        + "\"name\":\"run\",\"inputs\":{\"runCommand\":[\"true\"]}}]}"));
            }
        }
        try (SqsClient sqs = client(SqsClient.builder())) {
            queueUrl = sqs.createQueue(b -> b.queueName("qm-dead-letters")).queueUrl();
        }
        Files.createDirectories(home.resolve(".qm"));
        Files.writeString(
                home.resolve(Target.OUTPUTS),
                "{\"Quartermaster\": {\"LedgerTableName\": \""
                        + TABLE
                        + "\", \"BackupBucketName\": \""
                        + BUCKET
                        + "\", \"AlertTopicArn\": \""
                        + topicArn
                        + "\", \"AlertTableName\": \""
                        + ALERT_TABLE
                        + "\", \"DumpDocumentName\": \"QmDump\", \"RestoreDocumentName\": \"QmRestore\","
                        + " \"DrillDocumentName\": \"QmDrill\", \"DeadLetterQueueUrl\": \""
                        + queueUrl
                        + "\","
                        + " \"ReleaseDocumentName\": \"QmRelease\", \"ReleaseCheckDocumentName\": \"QmCheck\", \"ReleaseRepository\": \"wordpress\","
                        + " \"ReleaseImageUri\": \"123456789012.dkr.ecr.us-east-1.amazonaws.com/wordpress\", \"ReleaseRestorePoint\": \"true\", \"DatabaseName\": \"wordpress\", \"DbContainer\": \"-\", \"DbPasswordParameter\": \"-\", \"Hosts\": "
                        + EventParser.JSON.writeValueAsString(Setting.HOSTS.defaultValue())
                        + "}}");
        env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", moto.endpoint());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_EMF_ENVIRONMENT", "Local");
        env.put("POWERTOOLS_METRICS_NAMESPACE", "Quartermaster");
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
    }

    private record Result(int exit, String out, String err) {}

    /**
     * bin/qm as a user runs it: another JVM, the CLI's own class path, the environment of the
     * shell.
     */
    private static Result qm(Map<String, String> extraEnv, String... args) throws Exception {
        Path root = Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize();
        String cp =
                root.resolve("cli/target/classes")
                        + ":"
                        + Files.readString(root.resolve("cli/target/classpath.txt")).trim();
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dqm.home=" + home,
                                "-Dqm.log.level=WARN",
                                "-cp",
                                cp,
                                "dev.quartermaster.cli.Qm"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().remove("AWS_PROFILE");
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Platform platform() {
        Map<String, String> s = new HashMap<>(env);
        s.put("TABLE_NAME", TABLE);
        s.put("BACKUP_BUCKET", BUCKET);
        s.put("ALERT_TOPIC_ARN", topicArn);
        s.put("ALERT_TABLE_NAME", ALERT_TABLE);
        return new Platform(Settings.of(s));
    }

    @Test
    void whoAsksForARelease_inAwsMode_isTheCallersIdentity_notTheLaptopsUserName() {
        Target aws = new Target();
        aws.aws = true;

        String who = ReleaseContext.who(aws, platform());

        assertThat(who).startsWith("arn:aws:").isNotEqualTo(System.getProperty("user.name"));
        assertThat(ReleaseContext.who(new Target(), platform()))
                .isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void invokeAndLedger_inAwsMode_recordThePushInTheEmulatedTableAndShowIt() throws Exception {
        // no TABLE_NAME in the environment: invoke --aws finds the table in .qm/outputs.json, as
        // every other --aws command does
        Result invoke =
                qm(Map.of(), "invoke", "image-action", "events/image-action-push.json", "--aws");
        Result ledger = qm(Map.of(), "ledger", "wordpress", "--aws", "--output", "json");

        assertThat(invoke.exit()).as(invoke.err()).isZero();
        assertThat(invoke.out()).contains("\"RECORDED\"");
        assertThat(ledger.exit()).as(ledger.err()).isZero();
        JsonNode images = EventParser.JSON.readTree(ledger.out());
        assertThat(images.toString())
                .contains("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
                .contains("wp-6.4-v1");
    }

    @Test
    void invokeScan_inAwsMode_publishesTheAlertThroughSns() throws Exception {
        List<String> delivered = new CopyOnWriteArrayList<>();
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext(
                "/",
                ex -> {
                    delivered.add(
                            new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    ex.sendResponseHeaders(200, -1);
                    ex.close();
                });
        endpoint.start();
        try (SnsClient sns = client(SnsClient.builder())) {
            sns.subscribe(
                    b ->
                            b.topicArn(topicArn)
                                    .protocol("http")
                                    .endpoint(
                                            "http://127.0.0.1:"
                                                    + endpoint.getAddress().getPort()
                                                    + "/"));

            Result scan =
                    qm(
                            Map.of("TABLE_NAME", TABLE, "ALERT_TOPIC_ARN", topicArn),
                            "invoke",
                            "image-scan",
                            "events/image-scan-critical.json",
                            "--aws");

            assertThat(scan.exit()).as(scan.err()).isZero();
            assertThat(scan.out()).contains("FAILED_SCAN");
            long deadline = System.currentTimeMillis() + 10_000;
            while (delivered.stream().noneMatch(d -> d.contains("FAILED_SCAN"))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(delivered)
                    .anySatisfy(d -> assertThat(d).contains("FAILED_SCAN").contains("wordpress"));
        } finally {
            endpoint.stop(0);
        }
    }

    @Test
    void backups_inAwsMode_listsTheRecordsInTheEmulatedTable() throws Exception {
        var store = BackupRoot.store(platform());
        BackupRecord r =
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        "wordpress",
                        Instant.parse("2026-11-23T03:00:00Z"),
                        "cmd-emu",
                        "backups/wordpress/2026/11/23/20261123T030000Z-emu.sql.gz",
                        null);
        store.create(r);
        store.settle(
                r.verified(
                        1234, "ab".repeat(32), 5, 42, 900, Instant.parse("2026-11-23T03:01:00Z")));

        Result backups = qm(Map.of(), "backups", "--aws", "--output", "json");

        assertThat(backups.exit()).as(backups.err()).isZero();
        assertThat(backups.out()).contains("20261123T030000Z-emu.sql.gz").contains("VERIFIED");
    }

    @Test
    void backupNow_inAwsMode_failsWithOneLineWhenTheHostCannotBeResolved() throws Exception {
        // moto 5.2 does not implement ssm:DescribeInstanceInformation, which finds the one tagged
        // host:
        // the command must fail with one line a person can read, and send nothing
        Result now = qm(Map.of("QM_DEBUG_UNSET", "1"), "backup-now", "--aws");

        assertThat(now.exit()).isNotZero();
        assertThat(now.err().lines().filter(l -> l.startsWith("qm: ")).count()).isEqualTo(1);
        assertThat(now.err()).doesNotContain("\tat ");
        try (SsmClient ssm = client(SsmClient.builder())) {
            assertThat(ssm.listCommands(b -> b.maxResults(50)).commands())
                    .noneMatch(c -> c.documentName().equals("QmDump"));
        }
    }

    @Test
    void ssmCommandRunner_sendsToTheResolvedInstanceAndReadsTheOutput() {
        Platform p = platform();
        var runner =
                new SsmCommandRunner(
                        () ->
                                p.clients()
                                        .configure(
                                                software.amazon.awssdk.services.ssm.SsmClient
                                                        .builder(),
                                                "SSM")
                                        .build(),
                        BUCKET,
                        "/quartermaster/test/ssm",
                        (key, value) -> "i-0123456789abcdef0");

        String id =
                runner.send(
                        "QmDrill",
                        Map.of(),
                        Host.parseList(Setting.HOSTS.defaultValue()).get(0),
                        "Quartermaster drill");

        assertThat(id).isNotBlank();
        try (SsmClient ssm = client(SsmClient.builder())) {
            var sent = ssm.listCommands(b -> b.commandId(id)).commands();
            assertThat(sent)
                    .singleElement()
                    .satisfies(
                            c -> {
                                assertThat(c.documentName()).isEqualTo("QmDrill");
                                assertThat(c.instanceIds()).containsExactly("i-0123456789abcdef0");
                            });
        }
        assertThat(runner.output(id)).isPresent();
    }

    @Test
    void theStacksOutputs_fillEverySettingTheyName_andATagMayHoldAnEqualsSign() throws Exception {
        String hosts =
                "[{\"name\":\"db\",\"tagKey\":\"qm=role\",\"tagValue\":\"db=1\",\"roles\":[\"database\"]},"
                        + "{\"name\":\"web\",\"tagKey\":\"qm=role\",\"tagValue\":\"web\",\"roles\":[\"app\"]}]";
        Map<String, String> outputs = new java.util.LinkedHashMap<>();
        for (StackOutput o : StackOutput.values()) {
            outputs.put(
                    o.id(),
                    o == StackOutput.HOSTS
                            ? hosts
                            : o == StackOutput.DB_CONTAINER
                                    ? StackOutput.EMPTY
                                    : "value-of-" + o.id());
        }
        Path file = home.resolve("outputs-all.json");
        Files.writeString(
                file, EventParser.JSON.writeValueAsString(Map.of("Quartermaster", outputs)));
        Target t = new Target();
        t.stack = "Quartermaster";

        Map<String, String> s =
                t.awsSettings(file, Map.of("AWS_REGION", "us-east-1", "DATABASE", "from-env"));

        for (StackOutput o : StackOutput.values()) {
            String expected =
                    o == StackOutput.HOSTS
                            ? hosts
                            : o == StackOutput.DB_CONTAINER
                                    ? ""
                                    : o == StackOutput.DATABASE_NAME
                                            ? "from-env"
                                            : "value-of-" + o.id();
            assertThat(s.get(o.key())).as(o.id()).isEqualTo(expected);
        }
        assertThat(Host.database(Host.parseList(s.get("HOSTS"))))
                .satisfies(
                        h -> {
                            assertThat(h.tagKey()).isEqualTo("qm=role");
                            assertThat(h.tagValue()).isEqualTo("db=1");
                        });
        assertThat(s.get("DB_PASSWORD_PARAMETER"))
                .as("restore --aws sends the stack's password parameter")
                .isEqualTo("value-of-DbPasswordParameter");
    }

    @Test
    void ecrAuth_getsABasicTokenFromGetAuthorizationToken() {
        String header = RegistryRoot.ecrAuth(platform()).header().orElseThrow();

        assertThat(header).startsWith("Basic ");
        assertThat(
                        new String(
                                Base64.getDecoder().decode(header.substring(6)),
                                StandardCharsets.UTF_8))
                .startsWith("AWS:");
    }

    @Test
    void status_inAwsMode_readsTheEmulatedStoresAndTheDeadLetterQueue() throws Exception {
        var store = BackupRoot.store(platform());
        Instant started = Instant.now().minusSeconds(3600);
        BackupRecord r =
                BackupRecord.running(
                        BackupRecord.Kind.BACKUP,
                        "wordpress",
                        started,
                        "cmd-status",
                        "backups/wordpress/status-emu.sql.zst",
                        null);
        store.create(r);
        store.settle(r.verified(2048, "cd".repeat(32), 5, 42, 700, started.plusSeconds(60)));

        // an alert, as a function raises it: logged in the emulated alert log, published to the
        // emulated topic (one message per protocol)
        platform()
                .alerts()
                .publish(
                        new dev.quartermaster.common.Alert(
                                "TAG_MOVED",
                                "Tag moved: wordpress:latest",
                                "moved",
                                Map.of("repository", "wordpress", "tag", "latest"),
                                "bin/qm ledger wordpress:latest --aws"));

        Result fine = qm(Map.of(), "status", "--aws", "--output", "json");
        Result alerts = qm(Map.of(), "alerts", "--aws", "--output", "json");
        try (SqsClient sqs = client(SqsClient.builder())) {
            sqs.sendMessage(
                    b ->
                            b.queueUrl(queueUrl)
                                    .messageBody("{\"detail-type\":\"ECR Image Action\"}"));
        }
        Result stuck = qm(Map.of(), "status", "--aws");

        JsonNode s = EventParser.JSON.readTree(fine.out());
        assertThat(s.path("pipeline").path("deadLetters").asInt(-1)).as(fine.err()).isZero();
        assertThat(s.path("backups").path("latestVerified").asText()).isNotEqualTo("none");
        assertThat(s.path("alerts").toString())
                .as("the last alerts, read back from the alert log")
                .contains("TAG_MOVED: Tag moved: wordpress:latest");
        assertThat(alerts.exit()).as(alerts.err()).isZero();
        assertThat(EventParser.JSON.readTree(alerts.out()))
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.path("kind").asText()).isEqualTo("TAG_MOVED");
                            assertThat(a.path("delivery").asText())
                                    .as("SNS took the message")
                                    .isEqualTo("sent");
                            assertThat(a.path("next").asText())
                                    .isEqualTo("bin/qm ledger wordpress:latest --aws");
                        });
        assertThat(stuck.exit()).as(stuck.err()).isEqualTo(1);
        assertThat(stuck.out())
                .contains(
                        "Quartermaster status: ATTENTION",
                        "deadLetters: 1",
                        "the dead-letter queue holds 1 event(s)")
                .doesNotContain("\u001b[");
    }
}
