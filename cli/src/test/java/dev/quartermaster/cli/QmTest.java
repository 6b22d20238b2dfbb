package dev.quartermaster.cli;

import dev.quartermaster.cli.console.TextTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

public class QmTest {
    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(new PrintStream(err));
        try {
            return Qm.execute(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void invoke_whenFunctionUnknown_namesTheKnownOnes() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = run(err, "invoke", "no-such-function", "../events/image-action-push.json");

        assertThat(rc).isNotZero();
        assertThat(err.toString())
                .contains("unknown function 'no-such-function'")
                .contains("image-action")
                .contains("backup-status");
    }

    @Test
    void scanAccept_needsADigestReferenceAndAReason_beforeTouchingAnything() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "scan", "accept", "wordpress:wp-6.4-v1", "--reason", "ticket 7"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("is not REPO@sha256:<64 hex>");

        ByteArrayOutputStream noReason = new ByteArrayOutputStream();
        assertThat(run(noReason, "scan", "accept", "wordpress@sha256:" + "a".repeat(64)))
                .isEqualTo(2);
        assertThat(noReason.toString()).contains("--reason");
    }

    @Test
    void verify_refusesAReferenceThatIsNeitherADigestNorATag() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "verify", "wordpress@sha256:nothex")).isEqualTo(2);
        assertThat(err.toString()).contains("is not REPO@sha256:<64 hex> or REPO:TAG");
    }

    @Test
    void invoke_whenEventFileMissing_saysSo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = run(err, "invoke", "image-action", "/nonexistent.json");

        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("no such event file");
    }

    @Test
    void ledger_awsWithoutOutputs_explainsHowToGetThem(@TempDir Path home) throws Exception {
        String old = System.getProperty("qm.home");
        System.setProperty("qm.home", home.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int rc = run(err, "ledger", "wordpress", "--aws");

            assertThat(rc).isNotZero();
            assertThat(err.toString()).contains("cdk deploy --outputs-file .qm/outputs.json");
        } finally {
            if (old == null) {
                System.clearProperty("qm.home");
            } else {
                System.setProperty("qm.home", old);
            }
        }
    }

    @Test
    void ledger_outputOtherThanTextOrJson_rejected() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int rc = run(err, "ledger", "wordpress", "--output", "yaml");

        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("--output must be text or json");
    }

    @Test
    void explain_whenSdkFindsNoCredentials_saysHowToFixIt() {
        var ex =
                software.amazon.awssdk.core.exception.SdkClientException.create(
                        "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)");

        assertThat(Qm.explain(ex)).startsWith("no AWS credentials found").contains("aws configure");
    }

    @Test
    void helpers_shortDigestIsTwelveHex() {
        assertThat(TextTable.shortDigest("sha256:" + "ab".repeat(32))).isEqualTo("abababababab");
        assertThat(Files.exists(Path.of("."))).isTrue();
    }

    @Test
    void textTable_whenATagIs300Characters_cutsItWithAnEllipsisAndKeepsTheColumnsAligned() {
        var out = new java.io.ByteArrayOutputStream();
        String tag = "t".repeat(300);
        new TextTable("TAG", "DIGEST")
                .row(tag, "abc")
                .row("short\r\nline", "def")
                .print(new java.io.PrintStream(out, true), "");

        var lines = out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l.length()).isLessThan(60));
        assertThat(lines.get(1)).contains("…").endsWith("abc");
        assertThat(lines.get(2)).startsWith("short  line").endsWith("def");
        assertThat(lines.get(1).indexOf("abc")).isEqualTo(lines.get(2).indexOf("def"));
    }

    @Test
    void version_isTheBuilds_andWrittenOnlyInThePoms() throws Exception {
        String version = dev.quartermaster.contract.Bundle.version();
        assertThat(new Qm.Version().getVersion()).containsExactly("quartermaster " + version);
        assertThat(run(new ByteArrayOutputStream(), "--version")).isZero();

        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> writing;
        try (var files = Files.walk(root)) {
            writing =
                    files.filter(Files::isRegularFile)
                            .filter(
                                    f ->
                                            !root.relativize(f)
                                                    .toString()
                                                    .matches(
                                                            "(.*/)?(target|node_modules|cdk\\.out|\\.git|\\.qm)/.*|(.*/)?pom\\.xml"))
                            .filter(
                                    f -> {
                                        try {
                                            return Files.size(f) < 2_000_000
                                                    && Files.readString(f).contains(version);
                                        } catch (java.io.IOException
                                                | java.io.UncheckedIOException e) {
                                            return false; // not text
                                        }
                                    })
                            .toList();
        }
        assertThat(writing)
                .as(
                        "files besides the poms that write the version "
                                + version
                                + " (derive it: Bundle.version(), or the pom in scripts)")
                .isEmpty();
    }
}
