package dev.quartermaster.cli.bench;

import dev.quartermaster.cli.*;
import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.local.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.demo.*;

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
 * image-action from its own function jar in a fresh JVM, as SnapStart runs it: the constructor primes the
 * first-event path, then every checkpoint hook registered through org.crac runs (Powertools metrics'
 * among them: it must not fail, as it did when its class list named AspectJ classes the jar lacks), then
 * a real event records. Priming leaves nothing in the table.
 */
public class SnapStartProbeIT {

    @org.junit.jupiter.api.BeforeAll
    static void projectRoot() {
        // the function jars and the sample events are found from the project root, as bin/qm says with -Dqm.home
        System.setProperty("qm.home", Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize().toString());
    }

    /** A function's settings under SnapStart, every AWS call to {@code endpoint}. */
    private static Map<String, String> snapStartEnvironment(String endpoint) {
        return new HashMap<>(Map.of("TABLE_NAME", "probe", "AWS_ENDPOINT_URL", endpoint,
                "AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "probe", "AWS_SECRET_ACCESS_KEY", "probe",
                "AWS_EMF_ENVIRONMENT", "Local", "POWERTOOLS_METRICS_NAMESPACE", "Quartermaster",
                "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"));
    }

    @Test
    void imageAction_primedCheckpointedAndRestored_recordsTheFirstEvent_andPrimingWroteNothing() throws Exception {
        Path jar = BenchCommand.functionJar(Catalog.IMAGE_ACTION.bundle());
        Path probeClasses = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (LocalDynamoDb dynamo = LocalDynamoDb.inMemory(); var client = dynamo.client()) {
            LocalDynamoDb.createLedgerTable(client, "probe");
            Map<String, String> env = snapStartEnvironment(dynamo.endpoint());
            Path event = BenchCommand.freshEvent(LocalEnvironment.home().resolve("events/image-action-push.json"));
            try {
                // probe() fails unless the process exits 0 and the result says RECORDED
                BenchCommand.Probe p = BenchCommand.probe(jar + File.pathSeparator + probeClasses,
                        Catalog.IMAGE_ACTION.handlerClass(), event, env);
                assertThat(p.phases()).matches("init-ms=\\d+ invoke-ms=\\d+ hooks=[1-9]\\d*");
            } finally {
                Files.deleteIfExists(event);
            }
            var items = client.scan(b -> b.tableName("probe")).items();
            assertThat(items).isNotEmpty();
            assertThat(items).noneMatch(i -> i.toString().contains("qm-priming") || i.toString().contains("QM#PRIMING"));
        }
    }

    /**
     * The other jars: a handler of each, primed (the common path: JSON, log line, metrics), checkpointed and
     * restored, then given an event of the wrong type, which it rejects (no backend needed).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "archive-scrub, ARCHIVE_BUCKET=qm-archive",
            "backup-watchdog, BACKUP_BUCKET=qm-backups;DATABASE=wordpress"})
    void otherJars_primedCheckpointedAndRestored_handleTheirFirstEvent(String function, String settings) throws Exception {
        var spec = Catalog.byName(function).orElseThrow();
        Path jar = BenchCommand.functionJar(spec.bundle());
        Path probeClasses = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, String> env = snapStartEnvironment("http://127.0.0.1:9");
        env.put("ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:000000000000:qm-probe-alerts");
        for (String kv : settings.split(";")) {
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        Path event = Files.createTempFile("qm-event", ".json");
        try {
            Files.writeString(event, "{\"version\":\"0\",\"id\":\"probe\",\"detail-type\":\"Something Else\",\"source\":\"aws.ecr\","
                    + "\"account\":\"000000000000\",\"time\":\"2026-01-01T00:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}");
            BenchCommand.Probe p = BenchCommand.probe(jar + File.pathSeparator + probeClasses, spec.handlerClass(), event, env, "REJECTED");
            assertThat(p.phases()).as(function).matches("init-ms=\\d+ invoke-ms=\\d+ hooks=[1-9]\\d*");
        } finally {
            Files.deleteIfExists(event);
        }
    }
}
