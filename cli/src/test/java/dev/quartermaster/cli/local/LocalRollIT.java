package dev.quartermaster.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rolling release over two local app hosts as an operator runs it: bin/qm (a fresh JVM on the
 * CLI's class path, as bin/qm starts it) with the issue's {@code -c hosts=...} override against
 * kept local state, real containers on web1 and web2. Both switch and {@code status --output json}
 * shows both; then web2's health answers 500 for the next version: web2 rolls itself back, web1 is
 * returned, both serve the previous version, and the command exits non-zero naming web2.
 */
public class LocalRollIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rollOverWeb1AndWeb2_switchesBoth_andAFailingWeb2ReturnsBoth(@TempDir Path state)
            throws Exception {
        Path root = root();
        System.setProperty("qm.home", root.toString());
        String v1;
        String v2;
        String v3;
        try (LocalEnvironment local =
                new LocalEnvironment(state, false).context(List.of(LocalSitesIT.HOSTS))) {
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            v1 =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v1",
                            LocalPodman.wordpressImage("6.4.3", 1, 4096, "roll-1"));
            v2 =
                    pusher.push(
                            "wordpress",
                            "wp-6.5-v2",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "roll-2"));
            v3 =
                    pusher.push(
                            "wordpress",
                            "wp-6.6-v1",
                            LocalPodman.wordpressImage("6.6.1", 1, 4096, "roll-3"));
            var ctx =
                    ReleaseContext.local(
                            local, false, new PrintStream(java.io.OutputStream.nullOutputStream()));
            verified(ctx.platform, "wp-6.4-v1", v1, "6.4.3");
            verified(ctx.platform, "wp-6.5-v2", v2, "6.5.5");
            verified(ctx.platform, "wp-6.6-v1", v3, "6.6.1");
        }
        List<LocalSite> sites = new ArrayList<>();
        try {
            // first release: neither site exists, both start on wp-6.4-v1
            Run first = qm(root, state, "release", "wordpress:wp-6.4-v1", "--no-restore-point");
            assertThat(first.exitCode()).as(first.out()).isZero();
            try (LocalEnvironment local =
                    new LocalEnvironment(state, false).context(List.of(LocalSitesIT.HOSTS))) {
                sites.addAll(local.sites());
            }
            LocalSite web1 = sites.get(0);
            LocalSite web2 = sites.get(1);
            assertThat(web1.served()).isEqualTo("6.4.3");
            assertThat(web2.served()).isEqualTo("6.4.3");

            // the roll: both switch, in order
            Run roll = qm(root, state, "release", "wordpress:wp-6.5-v2");
            assertThat(roll.exitCode()).as(roll.out()).isZero();
            assertThat(web1.served()).isEqualTo("6.5.5");
            assertThat(web2.served()).isEqualTo("6.5.5");
            assertThat(roll.out().indexOf("web1")).isLessThan(roll.out().lastIndexOf("web2"));
            Run status = qm(root, state, "status", "--output", "json");
            JsonNode app = JSON.readTree(jsonOf(status.out())).path("app");
            assertThat(app.path("web1").path("running").asText()).as(status.out()).isEqualTo(v2);
            assertThat(app.path("web2").path("running").asText()).isEqualTo(v2);
            assertThat(app.path("web1").path("version").asText()).isEqualTo("6.5.5");
            assertThat(app.path("web2").path("version").asText()).isEqualTo("6.5.5");

            // web2 cannot run 6.6.1: its health answers 500 for it
            web2.failHealth("6.6.1");
            Run failed = qm(root, state, "release", "wordpress:wp-6.6-v1");
            assertThat(failed.exitCode()).as(failed.out()).isNotZero();
            assertThat(failed.err()).as(failed.out()).contains("web2");
            assertThat(web1.served()).as("web1 was returned").isEqualTo("6.5.5");
            assertThat(web2.served()).as("web2 rolled itself back").isEqualTo("6.5.5");
            Run after = qm(root, state, "status", "--output", "json");
            JsonNode app2 = JSON.readTree(jsonOf(after.out())).path("app");
            assertThat(app2.path("web1").path("running").asText()).as(after.out()).isEqualTo(v2);
            assertThat(app2.path("web2").path("running").asText()).isEqualTo(v2);
        } finally {
            sites.forEach(LocalSite::down);
        }
    }

    record Run(int exitCode, String out, String err) {}

    private static Run qm(Path root, Path state, String... args) throws Exception {
        String cp =
                root.resolve("cli/target/classes")
                        + ":"
                        + Files.readString(root.resolve("cli/target/classpath.txt")).strip();
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Dqm.home=" + root,
                                "-Dqm.state=" + state,
                                "-cp",
                                cp,
                                "dev.quartermaster.cli.Qm"));
        cmd.addAll(List.of(args));
        cmd.add("-c");
        cmd.add(LocalSitesIT.HOSTS);
        Path err = Files.createTempFile(state, "qm-err", ".txt");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("AWS_EMF_ENVIRONMENT", "Local");
        pb.environment().put("POWERTOOLS_METRICS_NAMESPACE", "Quartermaster");
        pb.environment().put("DDB_LOCAL_TELEMETRY", "0");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String errors = Files.readString(err);
        System.out.println("$ qm " + String.join(" ", args) + "\n" + out + errors);
        return new Run(p.exitValue(), out + errors, errors);
    }

    /** The JSON document in what status printed (bin/qm may print a line before it). */
    private static String jsonOf(String out) {
        return out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1);
    }

    private static void verified(
            dev.quartermaster.common.Platform p, String tag, String digest, String version) {
        dev.quartermaster.cli.release.LedgerSeed.pushed(
                p, tag, digest, version, ImageVerdict.VERIFIED);
    }

    private static Path root() {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Path.of(
                        System.getProperty(
                                "qm.repo.root",
                                (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString()))
                .toAbsolutePath()
                .normalize();
    }
}
