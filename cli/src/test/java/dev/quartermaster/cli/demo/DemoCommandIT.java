package dev.quartermaster.cli.demo;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs `qm demo` exactly as bin/qm starts it (a fresh JVM on the CLI's class path) and checks what
 * it prints.
 */
public class DemoCommandIT {

    @Test
    void demo_runsTheWholePipelineAndExitsZero() throws Exception {
        Path root = Path.of(System.getProperty("qm.repo.root", "..")).toAbsolutePath().normalize();
        String cp =
                root.resolve("cli/target/classes")
                        + ":"
                        + Files.readString(root.resolve("cli/target/classpath.txt")).strip();
        ProcessBuilder pb =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Dqm.home=" + root,
                                        "-cp",
                                        cp,
                                        "dev.quartermaster.cli.Qm",
                                        "demo"))
                        .redirectErrorStream(true);
        pb.environment().put("AWS_EMF_ENVIRONMENT", "Local");
        pb.environment().put("POWERTOOLS_METRICS_NAMESPACE", "Quartermaster");
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        System.out.println(out);
        System.out.printf("demo wall time: %.1f s%n", (System.nanoTime() - t0) / 1e9);

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("DEMO OK");
        assertThat(out)
                .containsPattern("wp-6\\.4-v1\\s+[0-9a-f]{12}\\s+\\S+\\s+VERIFIED\\s+6\\.4\\.3");
        assertThat(out)
                .containsPattern("wp-6\\.5-v2\\s+[0-9a-f]{12}\\s+\\S+\\s+VERIFIED\\s+6\\.5\\.5");
        assertThat(out)
                .containsPattern("wp-6\\.4-v3\\s+[0-9a-f]{12}\\s+\\S+\\s+MISMATCH\\s+6\\.5\\.5");
        assertThat(out)
                .contains(
                        "ALERT MISMATCH: MISMATCH: wordpress:wp-6.4-v3 promises 6.4 but holds 6.5.5");
        assertThat(out)
                .containsPattern(
                        "backup VERIFIED: s3://qm-backups/backups/wordpress/\\d{4}/\\d{2}/\\d{2}/\\d{8}T\\d{6}Z-[A-Za-z0-9-]+\\.sql\\.(gz|zst)");
        assertThat(out).containsPattern("first post: \"Hello from .+, \\d{4}-\\d{2}-\\d{2}\"");
        assertThat(out).doesNotContain("\"_aws\"");
        // the roll over web1 and web2: web2's proof fails, web1 is returned, both on the previous
        assertThat(out)
                .contains(
                        "rolled wp-6.4-v1 onto web1, web2: DONE",
                        "returning web1:",
                        "qm release would exit 3: web2 failed at step prove",
                        "now web1 serves 6.4.3, web2 serves 6.4.3");
        // the database scenes: a hook in the release, the refused rollback, --with-database
        assertThat(out)
                .contains("after-switch", "bin/qm rollback: ", "db_version 57155 then, 58975 now")
                .containsPattern(
                        "after rollback --with-database: the site serves 6\\.4\\.3, db_version 57155, post_excerpt columns 0");
        // the demo's status lists its alerts, read back from the alert log, and its report is
        // written where it says
        String lastAlerts =
                out.substring(out.lastIndexOf("last alerts:"), out.lastIndexOf("needs attention:"));
        assertThat(lastAlerts)
                .contains(
                        " MISMATCH: MISMATCH: wordpress:wp-6.4-v3",
                        " SIGNATURE_UNSIGNED: ",
                        " REPLICATION_FAILED: ");
        java.util.regex.Matcher report =
                java.util.regex.Pattern.compile(
                                "report \\(bin/qm report --out FILE\\.html\\): (\\S+\\.html)")
                        .matcher(out);
        assertThat(report.find()).as("the report's path is printed").isTrue();
        String page = Files.readString(Path.of(report.group(1)));
        assertThat(page)
                .contains("<svg data-chart=\"backup-size\"", "Backups of wordpress", "wp-6.5-v2")
                .doesNotContain("<script", "http://", "https://");
    }
}
