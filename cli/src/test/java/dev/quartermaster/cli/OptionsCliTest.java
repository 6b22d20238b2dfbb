package dev.quartermaster.cli;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * bin/qm reads cdk.json and -c through the stack's declarations: what they do not declare is
 * refused before anything runs.
 */
class OptionsCliTest {
    @TempDir Path home;
    String oldHome;

    @BeforeEach
    void home() throws Exception {
        oldHome = System.getProperty("qm.home");
        System.setProperty("qm.home", home.toString());
        Files.writeString(
                home.resolve("cdk.json"),
                "{\"app\": \"bin/cdk-app\", \"context\": {\"cli-telemetry\": false, \"backupRetentionDays\": 9,"
                        + " \"testOnlyKnob\": 4}}");
    }

    @AfterEach
    void restore() {
        if (oldHome == null) {
            System.clearProperty("qm.home");
        } else {
            System.setProperty("qm.home", oldHome);
        }
    }

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return Qm.execute(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void anyCommand_whenAKeyIsUndeclared_refusesItNamingTheClosestKey() throws Exception {
        Files.writeString(home.resolve("cdk.json"), "{\"context\": {\"cli-telemetry\": false}}");
        for (List<String> args :
                List.of(
                        List.of("ledger", "wordpress", "-c", "replicaton=[]"),
                        List.of("status", "-c", "replicaton=[]"),
                        List.of("backups", "-c", "replicaton=[]"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            assertThat(run(err, args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString())
                    .as(args.toString())
                    .contains("unknown option 'replicaton' — did you mean 'replication'?");
        }
    }

    @Test
    void anyCommand_whenAValueIsBad_refusesItAsSynthWould() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(
                        run(
                                err,
                                "ledger",
                                "wordpress",
                                "-c",
                                "testOnlyKnob=1",
                                "-c",
                                "backupRetentionDays=seven"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("backupRetentionDays: 'seven' is not a whole number")
                .contains("unknown option 'testOnlyKnob'");
    }

    @Test
    void configuration_readsAnOptionOfATestDeclaration_fromCdkJsonAndTheOverrides() {
        Option<Integer> extra =
                Option.integer("test", "testOnlyKnob", 3, 0, 10, "a knob only this test declares");
        List<Option<?>> declared = new ArrayList<>(Options.ALL);
        declared.add(extra);

        try (LocalEnvironment local = LocalEnvironment.persistent()) {
            assertThat(local.configuration(declared).get(extra)).isEqualTo(4);
            assertThat(local.configuration(declared).backups().retentionDays()).isEqualTo(9);
            assertThat(
                            local.context(List.of("testOnlyKnob=6", "testOnlyKnob=7"))
                                    .configuration(declared)
                                    .get(extra))
                    .isEqualTo(7);
            assertThatThrownBy(local::configuration)
                    .hasMessageContaining("unknown option 'testOnlyKnob'");
        }
    }
}
