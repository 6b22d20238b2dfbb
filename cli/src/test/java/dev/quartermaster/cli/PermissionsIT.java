package dev.quartermaster.cli;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.app.Wiring;
import dev.quartermaster.cli.demo.DemoCommand;
import dev.quartermaster.cli.iam.AwsCall;
import dev.quartermaster.cli.iam.CallLog;
import dev.quartermaster.cli.iam.HostCli;
import dev.quartermaster.cli.iam.IamPolicy;
import dev.quartermaster.cli.iam.RecordingInterceptor;
import dev.quartermaster.cli.iam.StackPolicies;
import dev.quartermaster.cli.local.FileAlerts;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalAgent;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.infra.QuartermasterStack;
import dev.quartermaster.infra.StackConfig;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The permission tier: every function runs its real paths against the local backends with its own
 * access key, every AWS call it makes is recorded (an SDK interceptor; the host scripts' AWS CLI
 * through a shim), and each call is checked against the statements the synthesized template gives
 * that function's role (the host's calls against the host policy). S3's rule is part of the check:
 * a HEAD/GET of a missing key needs s3:ListBucket on the bucket, or AWS answers 403. Every alert a
 * function raises is logged under that function's own role (the alert log's table); alert-sweep's
 * query of the log's Due index and its settling under its own. Grants no recorded call used are
 * written to target/permissions-unused.txt. The hosts check (infra/ssm/hosts-check.sh) runs as the
 * host: its ECR token from moto's ECR, the manifest HEAD through the local registry (charged as
 * ecr:BatchGetImage on the repository), its list and HEAD of backups/. A rolling release over two
 * app hosts runs against the template synthesized with them: release-status settles each host's
 * release under its own key; the operator's lock, roll and release writes (no role in the stack)
 * are checked to be the ones docs/release.md lists, on the template's ledger table and keys. Not
 * covered here (no local twin runs them): SNS Publish, SSM SendCommand/GetCommandInvocation, ECR's
 * API other than GetAuthorizationToken (the local registry stands in for ECR's registry protocol,
 * which IAM authorises through ecr:BatchGetImage &c.).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
public class PermissionsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream QUIET =
            new PrintStream(java.io.OutputStream.nullOutputStream());

    /**
     * What the functions print to stdout: Powertools' EMF lines, read back by the metric contract's
     * check.
     */
    private static final java.io.ByteArrayOutputStream EMF_BYTES =
            new java.io.ByteArrayOutputStream();

    private static final PrintStream EMF = new PrintStream(EMF_BYTES, true, StandardCharsets.UTF_8);

    /**
     * Metrics the dashboard or an alarm reads that this run's paths do not reach, each emitted by a
     * path the unit tier runs instead (a release through the host, failures): the check below names
     * any other missing one.
     */
    private static final java.util.Set<String> NOT_REACHED_HERE =
            java.util.Set.of(
                    "VerdictUNVERIFIABLE",
                    "VerdictNO_RULE",
                    "VerdictUNVERIFIABLE|wordpress",
                    "TagMoved",
                    "ArchiveFailed",
                    "ReleaseReleased",
                    "ReleaseRolledBack",
                    "ReleaseRollbackFailed",
                    "ReleaseFailed",
                    "ReleaseRefused",
                    "ReleaseSeconds",
                    "ReleaseChecked",
                    "ReleaseDrift",
                    "ProtectedDigests",
                    "EventsRejected",
                    "ReplicaFAILED",
                    "ReplicaLATE",
                    "RunningImageVulnerable"); // a failed or late replica, a finding on what runs:

    // unit tier only

    private static Path root;
    private static Path state;
    private static LocalEnvironment local;
    private static HostCli hostCli;
    private static LocalAgent agent;
    private static FileAlerts alerts;
    private static StackPolicies policies;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize();
        System.setProperty("qm.home", root.toString());
        state = Files.createTempDirectory("qm-permissions");
        local = new LocalEnvironment(state, true);
        hostCli = HostCli.create(state.resolve("host-cli"), realAws());
        Map<String, String> hostEnv = new HashMap<>(hostCli.environment());
        agent = new LocalAgent(local.hostScripts().withEnvironment(hostEnv), null);
        alerts = new FileAlerts(state.resolve("alerts.jsonl"), QUIET);
        policies = new StackPolicies(template(), "Quartermaster", PermissionsIT::localName);
        CallLog.drain();
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void everyCallOfEveryFunctionAndOfTheHost_isAllowedByTheSynthesizedTemplate() throws Exception {
        Map<String, IamPolicy> roles = policies.functions();
        assertThat(roles).containsKeys("image-archive", "backup-status", "archive-prune");

        // images: a push to the ledger, the verifier and the archive; a scan result; the archive's
        // reconcile
        OciImages.Image image = OciImages.wordpressLike("6.4.3", 1, 20_000, 1_000);
        String digest =
                new OciImages.Pusher(local.registry().url()).push("wordpress", "wp-6.4-v1", image);
        byte[] push = DemoCommand.pushEvent("wp-6.4-v1", digest);
        invoke("image-action", push);
        invoke("image-verify", push);
        invoke("image-archive", push);
        invoke("image-archive", push); // redelivered: everything is already there
        invoke("image-scan", scanEvent(digest));
        // enhanced scanning: a finding (the findings per digest, the release history, the images),
        // and its closure
        invoke(
                "image-scan",
                Files.readString(root.resolve("events/inspector-finding-active.json"))
                        .replace(SAMPLE_DIGEST, digest)
                        .getBytes(StandardCharsets.UTF_8));
        invoke(
                "image-scan",
                Files.readString(root.resolve("events/inspector-finding-closed.json"))
                        .replace(SAMPLE_DIGEST, digest)
                        .getBytes(StandardCharsets.UTF_8));
        // replication (the template is synthesized with a destination): awaited, arrived, the
        // sweep's due list
        invoke("image-replication", push);
        invoke(
                "image-replication",
                Files.readString(root.resolve("events/replication-success.json"))
                        .replace(SAMPLE_DIGEST, digest)
                        .getBytes(StandardCharsets.UTF_8));
        invoke("image-replication", scheduled("SweepRule"));
        // a tag that lies: the verdict the dashboard's verdict graph counts
        String liar =
                new OciImages.Pusher(local.registry().url())
                        .push(
                                "wordpress",
                                "wp-6.4-v9",
                                OciImages.wordpressLike("6.5.5", 1, 20_000, 1_000));
        invoke("image-action", DemoCommand.pushEvent("wp-6.4-v9", liar));
        assertThat(
                        invoke("image-verify", DemoCommand.pushEvent("wp-6.4-v9", liar))
                                .path("details")
                                .path("verdict")
                                .asText())
                .isEqualTo("MISMATCH");
        // the lifecycle policy expired it: the guard reads the release history and the image's
        // archive state, claims the event
        JsonNode guarded =
                invoke(
                        "lifecycle-guard",
                        Files.readString(root.resolve("events/ecr-lifecycle-expired.json"))
                                .replace("sha256:" + "1".repeat(64), digest)
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(guarded.path("status").asText()).isEqualTo("RECORDED");
        invoke("image-archive", scheduled("ReconcileSchedule"));
        invoke("archive-scrub", scheduled("ScrubSchedule"));
        try (var s3 = local.s3().client()) { // a blob nothing references, for the prune's sweep
            byte[] stray = OciImages.randomBytes(1_000, 7);
            new dev.quartermaster.archive.S3ArchiveLayout(
                            () -> s3, LocalEnvironment.ARCHIVE_BUCKET, "")
                    .putBlob(
                            OciImages.sha256(stray),
                            stray.length,
                            new java.io.ByteArrayInputStream(stray));
        }
        JsonNode pruned = invoke("archive-prune", scheduled("PruneSchedule"));
        assertThat(pruned.path("details").path("blobsDeleted").asInt())
                .as(pruned.toString())
                .isEqualTo(1);
        // the upkeep state machines: the engine (Step Functions in AWS, the local stand-in here)
        // reads each map's items and
        // writes its results with the state machine's role; the plan, every batch and the fold run
        // in the job's function
        for (dev.quartermaster.contract.Upkeep job : dev.quartermaster.contract.Upkeep.values()) {
            JsonNode folded = runStateMachine(job);
            assertThat(folded.path("status").asText())
                    .as(job.jobName() + ": " + folded)
                    .isEqualTo("RECORDED");
        }

        // backups: the scheduled dump on the host, its commit, a drill, the watchdog
        local.ensureDatabase(null);
        invoke("backup-start", scheduled("BackupSchedule"));
        statusEvents();
        invoke("restore-drill", scheduled("DrillSchedule"));
        statusEvents();
        invoke("backup-watchdog", scheduled("WatchdogSchedule"));
        // a crash after the commit removed the staged dump: the redelivered status finds it gone
        // (404 only with s3:ListBucket)
        invoke("backup-start", scheduled("BackupSchedule"));
        List<LocalAgent.Finished> dumps = agent.drain();
        assertThat(dumps).hasSize(1);
        try (var s3 = local.s3().client()) {
            s3.listObjectsV2Paginator(b -> b.bucket(LocalEnvironment.BUCKET).prefix("staging/"))
                    .contents()
                    .forEach(
                            o ->
                                    s3.deleteObject(
                                            b -> b.bucket(LocalEnvironment.BUCKET).key(o.key())));
        }
        invoke(
                "backup-status",
                LocalAgent.statusEvent(dumps.get(0)).getBytes(StandardCharsets.UTF_8));

        // the hosts check, as the host (the shim records its AWS CLI): an ECR token (moto's ECR
        // answers get-login-password), the manifest HEAD with it through the registry, the list of
        // backups/ and the HEAD of its first key (a backup was committed above)
        List<AwsCall> registryReads = hostsCheck(digest);

        // the alert log: every alert above was logged by the function that raised it (its own key).
        // The sweep lists what is due
        // and settles it; the windows above end after alertGroupMinutes, so it runs once as
        // deployed (nothing due yet) and once
        // with its clock two hours on, under its own key, so its settling writes are checked too
        invoke("alert-sweep", scheduled("SweepSchedule"));
        invoke(
                "alert-sweep",
                Files.readAllBytes(
                        root.resolve(
                                "events/cloudwatch-alarm-state-change.json"))); // an alarm, logged
        Platform sweeper = wiring("alert-sweep").platform();
        var later =
                new dev.quartermaster.alerts.AlertSweepHandler(
                        () ->
                                new dev.quartermaster.common.GroupedAlerts(
                                                sweeper.alertLog().orElseThrow(),
                                                alerts,
                                                java.time.Clock.offset(
                                                        java.time.Clock.systemUTC(),
                                                        java.time.Duration.ofHours(2)),
                                                java.time.Duration.ofMinutes(60),
                                                10)
                                        .sweep(),
                        sweeper::logDelivered);
        assertThat(
                        LocalInvoke.call(later, "alert-sweep", scheduled("SweepSchedule"), EMF)
                                .path("status")
                                .asText())
                .isIn("RECORDED", "IGNORED");
        assertThat(alerts.seen())
                .as("alerts raised above, each through the alert log")
                .isNotEmpty();

        List<AwsCall> calls = new ArrayList<>(CallLog.drain());
        calls.addAll(hostCli.calls());
        calls.addAll(registryReads);
        Map<String, IamPolicy> all = new LinkedHashMap<>(roles);
        all.putAll(policies.stateMachines());
        all.put(
                HostCli.PRINCIPAL,
                policies.managedPolicy("DatabaseBackupsHostPolicy", HostCli.PRINCIPAL));

        List<String> denied = new ArrayList<>();
        Map<String, List<AwsCall>> byRole = new TreeMap<>();
        for (AwsCall c : calls) {
            byRole.computeIfAbsent(c.principal(), k -> new ArrayList<>()).add(c);
            IamPolicy policy = all.get(c.principal());
            if (policy == null || !policy.allows(c)) {
                denied.add(
                        c.principal()
                                + ": "
                                + c.action()
                                + " on "
                                + c.resource()
                                + (c.context().isEmpty() ? "" : " " + c.context())
                                + "  ["
                                + c.origin()
                                + "]");
            }
        }
        writeUnused(all, byRole);
        assertThat(byRole.keySet())
                .as("every function ran and made AWS calls")
                .contains(
                        "image-action",
                        "image-verify",
                        "image-archive",
                        "image-scan",
                        "image-replication",
                        "archive-scrub",
                        "archive-prune",
                        "backup-start",
                        "backup-status",
                        "restore-drill",
                        "backup-watchdog",
                        "lifecycle-guard",
                        "alert-sweep",
                        HostCli.PRINCIPAL,
                        "states-archive-scrub",
                        "states-archive-prune",
                        "states-archive-reconcile",
                        "replication-backfill",
                        "states-replication-backfill");
        // whatever raised an alert wrote the alert log under its own role, and only the sweep
        // queried it
        String alertTable = ":table/" + LocalEnvironment.ALERT_TABLE;
        java.util.Set<String> logged = new java.util.TreeSet<>();
        calls.stream()
                .filter(
                        c ->
                                c.resource().endsWith(alertTable)
                                        && (c.action().equals("dynamodb:PutItem")
                                                || c.action().equals("dynamodb:UpdateItem")))
                .forEach(c -> logged.add(c.principal()));
        assertThat(logged)
                .as("functions that logged an alert (each raised one above)")
                .contains("image-verify", "image-scan");
        assertThat(
                        calls.stream()
                                .filter(c -> c.resource().contains(alertTable + "/index/"))
                                .map(AwsCall::principal)
                                .distinct())
                .as("the alert log's indexes, queried by the sweep alone")
                .containsExactly("alert-sweep");
        assertThat(calls)
                .as("the sweep settled the windows that ended")
                .anyMatch(
                        c ->
                                c.principal().equals("alert-sweep")
                                        && c.action().equals("dynamodb:UpdateItem")
                                        && c.resource().endsWith(alertTable));
        assertThat(denied.stream().distinct().toList())
                .as("calls the template's roles do not allow (AWS would answer 403)")
                .isEmpty();
        metricContract();
    }

    /** Two app hosts and a database host, as the demo's roll (the example). */
    private static final String ROLL_HOSTS =
            "[{\"name\":\"web1\",\"tagKey\":\"qm:host\",\"tagValue\":\"web1\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"web2\",\"tagKey\":\"qm:host\",\"tagValue\":\"web2\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]}]";

    /**
     * A rolling release over two app hosts (the template synthesized with them): release.sh on each
     * host's own podman site through the local agent (its AWS CLI through the shim), each host's
     * end settled by release-status under its own key and checked against its role. The roll's
     * lock, roll record and release records are the operator's writes (no role in the stack:
     * docs/release.md names the operator's permissions); they are recorded under an "operator" key
     * and checked to go to the one table the template defines, with its keys.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void aRollOverTwoAppHosts_isSettledByReleaseStatusUnderItsRole_inTheOperatorsTable()
            throws Exception {
        CallLog.drain();
        local.context(List.of("hosts=" + ROLL_HOSTS));
        try {
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String from =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v7",
                            dev.quartermaster.testkit.LocalPodman.wordpressImage(
                                    "6.4.3", 1, 4096, "perm-7"));
            String to =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v8",
                            dev.quartermaster.testkit.LocalPodman.wordpressImage(
                                    "6.4.3", 1, 4096, "perm-8"));
            for (String[] pushed : new String[][] {{"wp-6.4-v7", from}, {"wp-6.4-v8", to}}) {
                invoke("image-action", DemoCommand.pushEvent(pushed[0], pushed[1]));
                invoke("image-verify", DemoCommand.pushEvent(pushed[0], pushed[1]));
            }
            LocalAgent hosts =
                    new LocalAgent(
                                    local.hostScripts()
                                            .withEnvironment(new HashMap<>(hostCli.environment())),
                                    null)
                            .withSites(local);
            Map<String, String> operatorSettings = new HashMap<>(local.backupSettings());
            operatorSettings.putAll(local.releaseSettings());
            operatorSettings.put("REGISTRY_AUTH", "none");
            operatorSettings.put("AWS_ACCESS_KEY_ID", RecordingInterceptor.accessKey("operator"));
            Platform operator = new Platform(Settings.of(operatorSettings)).withAlerts(alerts);
            List<JsonNode> settled = new ArrayList<>();
            Runnable commandsRan =
                    () -> {
                        for (LocalAgent.Finished f : hosts.drain()) {
                            try {
                                settled.add(
                                        invoke(
                                                "release-status",
                                                LocalAgent.statusEvent(f)
                                                        .getBytes(StandardCharsets.UTF_8),
                                                hosts));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    };
            local.startMissingSites(from, QUIET);
            var roll =
                    dev.quartermaster.cli.release.PermissionsRoll.roll(
                            operator, hosts, commandsRan, QUIET);
            var first =
                    roll.run(
                            new dev.quartermaster.release.ReleaseRoll.Request(
                                    "wordpress",
                                    "wordpress:wp-6.4-v7",
                                    List.of("web1", "web2"),
                                    1,
                                    dev.quartermaster.release.RollRecord.OnFailure.ROLLBACK,
                                    "permissions",
                                    null,
                                    null));
            assertThat(first.roll().status().name()).as(first.failure()).isEqualTo("DONE");
            var result =
                    roll.run(
                            new dev.quartermaster.release.ReleaseRoll.Request(
                                    "wordpress",
                                    "wordpress:wp-6.4-v8",
                                    List.of("web1", "web2"),
                                    1,
                                    dev.quartermaster.release.RollRecord.OnFailure.ROLLBACK,
                                    "permissions",
                                    null,
                                    null));
            assertThat(result.roll().status().name()).as(result.failure()).isEqualTo("DONE");
            assertThat(settled)
                    .as("release-status settled each host's release of each roll")
                    .filteredOn(r -> r.path("status").asText().equals("RECORDED"))
                    .hasSizeGreaterThanOrEqualTo(4);

            StackPolicies twoHosts =
                    new StackPolicies(
                            template(Map.of("hosts", ROLL_HOSTS)),
                            "Quartermaster",
                            PermissionsIT::localName);
            Map<String, IamPolicy> all = new LinkedHashMap<>(twoHosts.functions());
            all.put(
                    HostCli.PRINCIPAL,
                    twoHosts.managedPolicy("DatabaseBackupsHostPolicy", HostCli.PRINCIPAL));
            List<AwsCall> calls = new ArrayList<>(CallLog.drain());
            calls.addAll(hostCli.calls());
            List<String> denied = new ArrayList<>();
            java.util.Set<String> operatorResources = new java.util.TreeSet<>();
            java.util.Set<String> principals = new java.util.TreeSet<>();
            for (AwsCall c : calls) {
                principals.add(c.principal());
                if (c.principal().equals("operator")) {
                    operatorResources.add(c.action() + " " + c.resource());
                    continue;
                }
                IamPolicy policy = all.get(c.principal());
                if (policy == null || !policy.allows(c)) {
                    denied.add(
                            c.principal()
                                    + ": "
                                    + c.action()
                                    + " on "
                                    + c.resource()
                                    + "  ["
                                    + c.origin()
                                    + "]");
                }
            }
            assertThat(principals).contains("release-status", "operator");
            assertThat(calls)
                    .as("release-status wrote the hosts' settled releases")
                    .anyMatch(
                            c ->
                                    c.principal().equals("release-status")
                                            && c.action().startsWith("dynamodb:")
                                            && !c.action().equals("dynamodb:GetItem")
                                            && !c.action().equals("dynamodb:Query"));
            assertThat(denied.stream().distinct().toList())
                    .as("calls of the roll the two-host template's roles do not allow")
                    .isEmpty();
            // the operator's roll: every call on the ledger table, which the template defines
            // with the key schema the lock, roll and release records are written under
            assertThat(operatorResources)
                    .isNotEmpty()
                    .allSatisfy(
                            r ->
                                    assertThat(r)
                                            .matches(
                                                    "dynamodb:[A-Za-z]+ arn:aws:dynamodb:[^ ]*:table/"
                                                            + LocalEnvironment.TABLE
                                                            + "(/index/[A-Za-z0-9_.-]+)?"));
            assertThat(operatorResources)
                    .extracting(r -> r.substring(0, r.indexOf(' ')))
                    .as(
                            "the operator's table permissions for a roll, as docs/release.md lists them")
                    .containsOnly(
                            "dynamodb:PutItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:GetItem",
                            "dynamodb:Query");
            JsonNode ledger = null;
            for (var e : template(Map.of("hosts", ROLL_HOSTS)).path("Resources").properties()) {
                if (e.getKey().startsWith("Ledger")
                        && e.getValue().path("Type").asText().equals("AWS::DynamoDB::Table")) {
                    ledger = e.getValue().path("Properties").path("KeySchema");
                }
            }
            assertThat(ledger).as("the ledger table in the template").isNotNull();
            {
                var ddb = operator.dynamoDb(); // the platform's own client: not closed here
                var localKeys =
                        ddb.describeTable(b -> b.tableName(LocalEnvironment.TABLE))
                                .table()
                                .keySchema();
                List<String> tableKeys = new ArrayList<>();
                localKeys.forEach(
                        k -> tableKeys.add(k.attributeName() + " " + k.keyTypeAsString()));
                List<String> stack = new ArrayList<>();
                ledger.forEach(
                        k ->
                                stack.add(
                                        k.path("AttributeName").asText()
                                                + " "
                                                + k.path("KeyType").asText()));
                assertThat(tableKeys)
                        .as("the table the roll wrote, keyed as the template's ledger table")
                        .isEqualTo(stack);
            }
            Files.writeString(
                    root.resolve("cli/target/permissions-operator.txt"),
                    "# the operator's calls in a rolling release (no role in the stack)\n"
                            + String.join("\n", operatorResources)
                            + "\n");
        } finally {
            local.context(List.of());
        }
    }

    /**
     * The schema fingerprint document's script as the host runs it with dbPasswordParameter: its
     * one AWS call (qm-lib.sh's ssm get-parameter for the database password, from moto's SSM)
     * recorded by a shim of its own and checked against the host policy of the template synthesized
     * with that option; the password is a database user's, so the fingerprint proves the parameter
     * was read.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void theSchemaFingerprintsPasswordRead_isAllowedByTheHostPolicy() throws Exception {
        String parameter = "/quartermaster/permissions-db-password";
        String password = "pw-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        local.ensureDatabase(null);
        Path rootDefaults = local.mariaDb().defaultsFile();
        String socket =
                Files.readAllLines(rootDefaults).stream()
                        .filter(l -> l.startsWith("socket="))
                        .findFirst()
                        .orElseThrow();
        Process create =
                new ProcessBuilder(
                                "mariadb",
                                "--defaults-extra-file=" + rootDefaults,
                                "-e",
                                "CREATE OR REPLACE USER 'qm_fingerprint'@'localhost' IDENTIFIED BY '"
                                        + password
                                        + "'; GRANT SELECT ON *.* TO 'qm_fingerprint'@'localhost';")
                        .redirectErrorStream(true)
                        .start();
        String created = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(create.waitFor()).as(created).isZero();
        Path defaults = state.resolve("fingerprint-client.cnf");
        Files.writeString(defaults, "[client]\nuser=qm_fingerprint\n" + socket + "\n");
        HostCli fingerprintCli = HostCli.create(state.resolve("host-cli-fingerprint"), realAws());
        dev.quartermaster.testkit.LocalMoto moto =
                dev.quartermaster.testkit.LocalMoto.start(Files.createTempDirectory(state, "moto"));
        try {
            String endpoint = moto.endpoint();
            ProcessBuilder putBuilder =
                    new ProcessBuilder(
                                    realAws(),
                                    "ssm",
                                    "put-parameter",
                                    "--name",
                                    parameter,
                                    "--type",
                                    "SecureString",
                                    "--value",
                                    password)
                            .redirectErrorStream(true);
            putBuilder.environment().put("AWS_ENDPOINT_URL_SSM", endpoint);
            putBuilder.environment().put("AWS_ACCESS_KEY_ID", "test");
            putBuilder.environment().put("AWS_SECRET_ACCESS_KEY", "test");
            putBuilder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
            Process stored = putBuilder.start();
            String storedOut =
                    new String(stored.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(stored.waitFor()).as(storedOut).isZero();

            Map<String, String> extra = new HashMap<>(fingerprintCli.environment());
            extra.put("AWS_ENDPOINT_URL_SSM", endpoint);
            extra.put("AWS_DEFAULT_REGION", "us-east-1");
            var run =
                    local.hostScripts()
                            .run(
                                    "schema-fingerprint.sh",
                                    Map.of(
                                            "QM_DATABASE",
                                            LocalEnvironment.DATABASE,
                                            "QM_PASSWORD_PARAMETER",
                                            parameter,
                                            "QM_DB_DEFAULTS_FILE",
                                            defaults.toString()),
                                    extra);
            assertThat(run.ok()).as(run.output()).isTrue();
            assertThat(run.output()).contains("QM-SCHEMA {");
        } finally {
            moto.close();
        }
        List<AwsCall> calls = fingerprintCli.calls();
        assertThat(calls)
                .extracting(AwsCall::action)
                .as("the fingerprint script's AWS calls")
                .containsExactly("ssm:GetParameter");
        IamPolicy host =
                new StackPolicies(
                                template(Map.of("dbPasswordParameter", parameter)),
                                "Quartermaster",
                                PermissionsIT::localName)
                        .managedPolicy("DatabaseBackupsHostPolicy", HostCli.PRINCIPAL);
        assertThat(calls)
                .as("allowed by the host policy with dbPasswordParameter")
                .allMatch(host::allows);
        IamPolicy other =
                new StackPolicies(
                                template(
                                        Map.of(
                                                "dbPasswordParameter",
                                                "/quartermaster/another-parameter")),
                                "Quartermaster",
                                PermissionsIT::localName)
                        .managedPolicy("DatabaseBackupsHostPolicy", HostCli.PRINCIPAL);
        assertThat(calls)
                .as("the grant names the one parameter: another's is not read")
                .noneMatch(other::allows);
    }

    /**
     * infra/ssm/hosts-check.sh through the local agent as the host document runs it, every check
     * reached (ecr-login, manifest, backup-bucket): its AWS CLI calls are recorded by the shim; the
     * manifest HEAD goes to the registry with the ECR token, which ECR authorises as a pull of the
     * repository: ecr:BatchGetImage on it (AWS managed policy AmazonEC2ContainerRegistryPullOnly;
     * Amazon ECR User Guide, "Private repository policy examples": ecr:GetAuthorizationToken
     * through IAM before any pull), returned here as the call the host made.
     */
    private static List<AwsCall> hostsCheck(String digest) throws Exception {
        dev.quartermaster.testkit.LocalMoto moto =
                dev.quartermaster.testkit.LocalMoto.start(Files.createTempDirectory(state, "moto"));
        try {
            Map<String, String> site = new HashMap<>(local.site().scriptEnv());
            String repo = site.get("QM_IMAGE_REPO");
            site.put("QM_REGISTRY_LOGIN", "ecr");
            site.put("AWS_ENDPOINT_URL_ECR", moto.endpoint());
            site.put("QM_BACKUP_BUCKET", LocalEnvironment.BUCKET);
            site.put("QM_ENDPOINTS", "");
            site.put("QM_GATEWAY_ENDPOINTS", "");
            site.put("QM_EXPECT_PRIVATE", "false");
            site.put("AWS_DEFAULT_REGION", "us-east-1");
            List<dev.quartermaster.cli.ops.HostsChecks.Line> lines =
                    dev.quartermaster.cli.ops.HostsChecks.run(
                            agent.withSite(site),
                            dev.quartermaster.contract.HostDocument.HOSTS_CHECK.localName(),
                            local.configuration().hosts().hosts(),
                            digest,
                            java.time.Duration.ofSeconds(60),
                            d -> Thread.sleep(d.toMillis()));
            agent.drain(); // the check's own end: no function takes it
            assertThat(lines)
                    .as("the hosts check on every host: " + lines)
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.status()).as(l.toString()).isEqualTo("ok"));
            assertThat(lines)
                    .extracting(dev.quartermaster.cli.ops.HostsChecks.Line::check)
                    .contains("ecr-login", "manifest", "backup-bucket");
            assertThat(lines)
                    .filteredOn(l -> l.check().equals("backup-bucket"))
                    .allSatisfy(l -> assertThat(l.detail()).startsWith("HEAD s3://"));
            String repositoryArn =
                    "arn:aws:ecr:"
                            + "us-east-1:000000000000:repository/"
                            + repo.substring(repo.indexOf('/') + 1);
            return lines.stream()
                    .filter(l -> l.check().equals("manifest"))
                    .map(
                            l ->
                                    new AwsCall(
                                            HostCli.PRINCIPAL,
                                            "ecr:BatchGetImage",
                                            repositoryArn,
                                            Map.of(),
                                            "hosts-check.sh manifest HEAD on " + l.host()))
                    .toList();
        } finally {
            moto.close();
        }
    }

    /**
     * The metric contract, proven on what the functions printed: every EMF line is in the
     * Quartermaster namespace with exactly the one dimension, every name is the contract's, and
     * every metric the dashboard or an alarm reads (name and dimension, from the synthesized
     * template) was emitted here, or is one this run does not reach (listed above).
     */
    private static void metricContract() throws Exception {
        java.util.Set<String> emitted = new java.util.TreeSet<>();
        for (String line : EMF_BYTES.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("{") || !line.contains("\"_aws\"")) {
                continue;
            }
            JsonNode emf = JSON.readTree(line);
            for (JsonNode d : emf.path("_aws").path("CloudWatchMetrics")) {
                assertThat(d.path("Namespace").asText())
                        .isEqualTo(dev.quartermaster.contract.Metric.NAMESPACE);
                assertThat(emf.path(dev.quartermaster.contract.Metric.DIMENSION).asText())
                        .isEqualTo(dev.quartermaster.contract.Metric.DIMENSION_VALUE);
                String dims = d.path("Dimensions").toString();
                String suffix; // the application's metric, or its per-repository twin
                if (dims.equals("[[\"" + dev.quartermaster.contract.Metric.DIMENSION + "\"]]")) {
                    suffix = "";
                } else {
                    assertThat(dims)
                            .as(line)
                            .isEqualTo(
                                    "[[\""
                                            + dev.quartermaster.contract.Metric.DIMENSION
                                            + "\",\""
                                            + dev.quartermaster.contract.Metric.REPOSITORY_DIMENSION
                                            + "\"]]");
                    suffix =
                            "|"
                                    + emf.path(
                                                    dev.quartermaster.contract.Metric
                                                            .REPOSITORY_DIMENSION)
                                            .asText();
                }
                d.path("Metrics")
                        .forEach(
                                m ->
                                        emitted.add(
                                                dev.quartermaster.contract.Metric.byName(
                                                                        m.path("Name").asText())
                                                                .metricName()
                                                        + suffix));
            }
        }
        java.util.Set<String> read = new java.util.TreeSet<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile(
                                "\\\\\"Quartermaster\\\\\",\\\\\"([A-Za-z_]+)\\\\\",\\\\\"Application\\\\\",\\\\\"Quartermaster\\\\\""
                                        + "(,\\\\\"Repository\\\\\",\\\\\"([a-z0-9._/-]+)\\\\\")?")
                        .matcher(template().toString());
        while (m.find()) {
            read.add(m.group(1) + (m.group(3) == null ? "" : "|" + m.group(3)));
        }
        assertThat(read)
                .as("metrics the dashboard reads (name + dimension)")
                .contains(
                        "BackupAgeHours",
                        "VerdictVERIFIED",
                        "ArchiveBytesStored",
                        "VerdictVERIFIED|wordpress");
        java.util.Set<String> missing = new java.util.TreeSet<>(read);
        missing.removeAll(emitted);
        missing.removeAll(NOT_REACHED_HERE);
        Files.writeString(
                Path.of("target", "metrics-emitted.txt"), String.join("\n", emitted) + "\n");
        Files.writeString(
                Path.of("target", "metrics-emf.txt"), EMF_BYTES.toString(StandardCharsets.UTF_8));
        assertThat(missing)
                .as(
                        "read by the dashboard or an alarm, emitted by no function here (emitted: "
                                + emitted
                                + ")")
                .isEmpty();
    }

    /** The digest the sample events in events/ name. */
    static final String SAMPLE_DIGEST =
            "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";

    private static JsonNode invoke(String function, byte[] event) throws Exception {
        return invoke(function, event, agent);
    }

    private static JsonNode invoke(String function, byte[] event, LocalAgent commands)
            throws Exception {
        RequestStreamHandler handler = FunctionCatalog.create(function, wiring(function, commands));
        JsonNode result = LocalInvoke.call(handler, function, event, EMF);
        assertThat(result.path("status").asText())
                .as(function + ": " + result)
                .isNotEqualTo("REJECTED");
        return result;
    }

    /**
     * One run of an upkeep state machine, its engine's S3 calls charged to the state machine's
     * role, its steps to the function's.
     */
    private static JsonNode runStateMachine(dev.quartermaster.contract.Upkeep job)
            throws Exception {
        String principal = "states-" + job.jobName();
        var files =
                dev.quartermaster.archive.ArchiveRoot.layout(wiring(principal).platform())
                        .runFiles();
        var engine =
                new dev.quartermaster.upkeep.UpkeepEngine(
                        dev.quartermaster.contract.UpkeepMachine.definition(job, 10, 0),
                        "Quartermaster-" + job.jobName(),
                        payload -> {
                            try {
                                return invoke(
                                        job.function().name(),
                                        payload.toString().getBytes(StandardCharsets.UTF_8));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        files,
                        dev.quartermaster.upkeep.UpkeepEngine.Listener.NONE);
        String schedule =
                switch (job) {
                    case ARCHIVE_SCRUB -> "ScrubSchedule";
                    case ARCHIVE_PRUNE -> "PruneSchedule";
                    case ARCHIVE_RECONCILE -> "ReconcileSchedule";
                    case REPLICATION_BACKFILL ->
                            "BackfillByHand"; // on demand: no rule starts it (without ECR here,
                        // each copy fails: recorded)
                };
        return engine.run(
                JSON.readTree(scheduled(schedule)),
                "permissions-" + java.util.UUID.randomUUID(),
                Instant.now());
    }

    private static void statusEvents() throws Exception {
        for (LocalAgent.Finished f : agent.drain()) {
            assertThat(f.run().ok()).as(f.document() + ": " + f.run().output()).isTrue();
            invoke("backup-status", LocalAgent.statusEvent(f).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Wiring wiring(String function) {
        return wiring(function, agent);
    }

    private static Wiring wiring(String function, LocalAgent commands) {
        Map<String, String> settings = new HashMap<>(local.backupSettings());
        settings.putAll(local.archiveSettings());
        settings.putAll(local.releaseSettings());
        settings.put("REGISTRY_AUTH", "none");
        settings.put("ARCHIVE_GRACE_HOURS", "0");
        settings.put("REGISTRY_URL", local.registry().url());
        settings.put(
                "REPLICATION_DESTINATIONS",
                "[{\"region\":\"eu-central-1\",\"account\":\"123456789012\"}]");
        settings.put("AWS_ACCESS_KEY_ID", RecordingInterceptor.accessKey(function));
        Platform platform = new Platform(Settings.of(settings)).withAlerts(alerts);
        return Wiring.of(platform)
                .withRegistry(
                        p -> new RegistryClient(local.registry().url(), RegistryAuth.anonymous()))
                .withCommands(commands);
    }

    /**
     * The template exactly as cdk synth makes it from cdk.json's context (placeholder code assets).
     */
    static JsonNode template() throws Exception {
        return template(Map.of());
    }

    /** The template with these context values over cdk.json's. */
    static JsonNode template(Map<String, String> overrides) throws Exception {
        Map<String, Object> context =
                new HashMap<>(
                        JSON.convertValue(
                                JSON.readTree(root.resolve("cdk.json").toFile()).path("context"),
                                JSON.getTypeFactory()
                                        .constructMapType(Map.class, String.class, Object.class)));
        // with a replication destination, so image-replication (deployed only then) has its role
        // here too
        context.put("replication", "[{\"region\":\"eu-central-1\"}]");
        context.put("homeRegion", "us-east-1");
        context.putAll(overrides);
        App app = new App();
        Path asset = Files.createTempDirectory("qm-asset");
        Files.writeString(asset.resolve("placeholder.txt"), "placeholder");
        QuartermasterStack stack =
                new QuartermasterStack(
                        app,
                        "Quartermaster",
                        StackProps.builder().build(),
                        StackConfig.from(context),
                        bundle -> Code.fromAsset(asset.toString()));
        return JSON.valueToTree(Template.fromStack(stack).toJSON());
    }

    /** Logical ids of the stack's named resources to the names the local backends use. */
    static String localName(String logicalId) {
        if (logicalId.startsWith("Backups")) {
            return LocalEnvironment.BUCKET;
        }
        if (logicalId.startsWith("Archive")) {
            return LocalEnvironment.ARCHIVE_BUCKET;
        }
        if (logicalId.startsWith("Ledger")) {
            return LocalEnvironment.TABLE;
        }
        if (logicalId.startsWith("AlertLog")) {
            return LocalEnvironment.ALERT_TABLE;
        }
        return null;
    }

    private static void writeUnused(Map<String, IamPolicy> roles, Map<String, List<AwsCall>> byRole)
            throws Exception {
        StringBuilder report =
                new StringBuilder(
                        "# Grants no recorded call used (review: each is a grant the tier cannot prove)\n");
        roles.forEach(
                (name, policy) -> {
                    List<String> unused = policy.unused(byRole.getOrDefault(name, List.of()));
                    if (!unused.isEmpty()) {
                        report.append("\n").append(name).append(":\n");
                        unused.forEach(u -> report.append("  ").append(u).append('\n'));
                    }
                });
        Path out = root.resolve("cli/target/permissions-unused.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
    }

    private static byte[] scheduled(String rule) {
        return ("{\"version\":\"0\",\"id\":\""
                        + java.util.UUID.randomUUID()
                        + "\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                        + "\"account\":\"000000000000\",\"time\":\""
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                        + "\",\"region\":\"us-east-1\","
                        + "\"resources\":[\"arn:aws:events:us-east-1:000000000000:rule/Quartermaster-"
                        + rule
                        + "\"],\"detail\":{}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] scanEvent(String digest) throws Exception {
        String sample = Files.readString(root.resolve("events/image-scan-critical.json"));
        return sample.replaceAll("sha256:[0-9a-f]{64}", digest).getBytes(StandardCharsets.UTF_8);
    }

    private static String realAws() {
        for (String dir :
                (System.getenv("PATH") + ":" + System.getProperty("user.home") + "/.pyenv/shims")
                        .split(":")) {
            Path p = Path.of(dir, "aws");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException(
                "no aws CLI on PATH: bin/setup-local installs the one the host scripts use");
    }
}
