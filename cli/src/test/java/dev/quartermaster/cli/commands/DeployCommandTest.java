package dev.quartermaster.cli.commands;

import dev.quartermaster.contract.DeployRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeployCommandTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final List<List<String>> calls = new ArrayList<>();

    /**
     * A stand-in for cdk deploy: writes the outputs file as cdk does (stack name -> output id ->
     * value), exits rc.
     */
    DeployCommand.Cdk cdk(int rc, String outputs) {
        return (args, home) -> {
            calls.add(args);
            if (outputs != null) {
                Files.writeString(
                        home.resolve(args.get(args.indexOf("--outputs-file") + 1)), outputs);
            }
            return rc;
        };
    }

    int run(Path home, DeployCommand.Cdk cdk, String... args) {
        return DeployCommand.run(
                List.of(args), home, cdk, new PrintStream(out), new PrintStream(err));
    }

    static final String OUTPUTS =
            "{\"Quartermaster\": {\"RepositoryEncryption\": \"{\\\"wordpress\\\":\\\"KMS\\\"}\","
                    + " \"ReleaseImageUri\": \"123456789012.dkr.ecr.us-east-1.amazonaws.com/wordpress\"}}";

    @Test
    void deploy_whenCdkSucceeds_recordsWhatTheStackSaysItCreated(@TempDir Path home) {
        int rc =
                run(
                        home,
                        cdk(0, OUTPUTS),
                        "--require-approval",
                        "never",
                        "-c",
                        "repositoryEncryption=KMS");

        assertThat(rc).isZero();
        assertThat(calls.get(0))
                .containsSubsequence("--outputs-file", ".qm/outputs.json")
                .contains("-c", "repositoryEncryption=KMS");
        assertThat(DeployRecord.read(home.resolve(DeployRecord.FILE), "Quartermaster"))
                .isEqualTo(
                        new DeployRecord("123456789012", "us-east-1", Map.of("wordpress", "KMS")));
        assertThat(out.toString()).contains("recorded in quartermaster.lock.json");
    }

    @Test
    void deploy_whenCdkFails_recordsNothing(@TempDir Path home) {
        int rc = run(home, cdk(1, OUTPUTS));

        assertThat(rc).isEqualTo(1);
        assertThat(home.resolve(DeployRecord.FILE)).doesNotExist();
        assertThat(err.toString()).contains("cdk deploy failed (exit 1): nothing recorded");
    }

    @Test
    void deploy_ofAnotherStackName_recordsUnderThatName_andOnlyWhatWasDeployed(@TempDir Path home)
            throws Exception {
        Files.writeString(
                home.resolve("cdk.json"), "{\"context\": {\"lockFile\": \"deployed.json\"}}");
        int rc =
                run(
                        home,
                        cdk(0, OUTPUTS.replace("\"Quartermaster\"", "\"Staging\"")),
                        "-c",
                        "stackName=Staging");

        assertThat(rc).isZero();
        assertThat(DeployRecord.read(home.resolve("deployed.json"), "Staging").encryption())
                .containsEntry("wordpress", "KMS");

        int again =
                run(
                        home,
                        cdk(0, "{\"Staging-Replica-eu-central-1\": {\"ReplicaRegistry\": \"x\"}}"),
                        "-c",
                        "stackName=Staging");
        assertThat(again).isZero();
        assertThat(out.toString()).contains("Staging was not deployed by this run");
    }

    @Test
    void deploy_ofAStackWithoutTheOutput_saysSoAndRecordsNothing(@TempDir Path home) {
        int rc = run(home, cdk(0, "{\"Quartermaster\": {\"LedgerTableName\": \"t\"}}"));

        assertThat(rc).isEqualTo(1);
        assertThat(err.toString()).contains("have no RepositoryEncryption");
        assertThat(home.resolve(DeployRecord.FILE)).doesNotExist();
    }

    @Test
    void deploy_whenAKeyIsUndeclared_refusesBeforeCdkRuns(@TempDir Path home) {
        int rc = run(home, cdk(0, OUTPUTS), "--context", "replicaton=[]");

        assertThat(rc).isEqualTo(2);
        assertThat(calls).isEmpty();
        assertThat(err.toString())
                .contains("unknown option 'replicaton' — did you mean 'replication'?");
    }
}
