package dev.quartermaster.infra;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the shell script exactly as the synthesised SSM documents carry it (parameters substituted
 * as SSM does), with bash: the wrapper, the inlined library and the scripts' own input checks work
 * together, and a drill aimed at the live database is refused before anything runs.
 */
class DocumentScriptTest {
    private static Map<String, Map<String, Object>> documents;

    @BeforeAll
    static void synth() {
        Template t = StackFixture.template(Map.of());
        documents = t.findResources("AWS::SSM::Document");
    }

    @SuppressWarnings("unchecked")
    private static String script(String idPrefix, Map<String, String> params) {
        Map<String, Object> doc =
                documents.entrySet().stream()
                        .filter(e -> e.getKey().contains(idPrefix))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
        Map<String, Object> content =
                (Map<String, Object>) ((Map<String, Object>) doc.get("Properties")).get("Content");
        Map<String, Object> step = ((List<Map<String, Object>>) content.get("mainSteps")).get(0);
        List<String> lines =
                (List<String>) ((Map<String, Object>) step.get("inputs")).get("runCommand");
        String text = String.join("\n", lines);
        for (var p : params.entrySet()) {
            text = text.replace("{{ " + p.getKey() + " }}", p.getValue());
        }
        assertThat(text).doesNotContain("{{ ");
        return text;
    }

    private static String[] run(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void drillDocument_alwaysRunsInDrillMode_whateverTheCallerPasses() {
        String s =
                script(
                        "DrillDocument",
                        Map.of(
                                "bucket",
                                "qm-backups",
                                "key",
                                "",
                                "database",
                                "wordpress",
                                "container",
                                "",
                                "passwordParameter",
                                ""));
        String restore =
                script(
                        "RestoreDocument",
                        Map.of(
                                "bucket",
                                "qm-backups",
                                "key",
                                "",
                                "database",
                                "wordpress",
                                "container",
                                "",
                                "passwordParameter",
                                ""));

        assertThat(s).contains("export QM_MODE='drill'").doesNotContain("{{ mode }}");
        assertThat(restore).contains("export QM_MODE='restore'");
    }

    @Test
    void restoreDocument_whenKeyOutsideBackups_refusesBeforeTouchingAnything() throws Exception {
        String s =
                script(
                        "RestoreDocument",
                        Map.of(
                                "bucket",
                                "qm-backups",
                                "key",
                                "staging/forged.sql.gz",
                                "database",
                                "wordpress",
                                "container",
                                "",
                                "passwordParameter",
                                ""));

        String[] r = run(s);

        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("key must be under backups/");
    }

    @Test
    void dumpDocument_whenKeyOutsideBackups_refusesWithReason() throws Exception {
        String s =
                script(
                        "DumpDocument",
                        Map.of(
                                "bucket",
                                "qm-backups",
                                "key",
                                "elsewhere/x.sql.gz",
                                "database",
                                "wordpress",
                                "container",
                                "",
                                "compression",
                                "gzip",
                                "passwordParameter",
                                ""));

        String[] r = run(s);

        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("key must be under backups/");
    }

    @Test
    void documents_areValidBash() throws Exception {
        for (String id :
                List.of(
                        "DumpDocument",
                        "RestoreDocument",
                        "DrillDocument",
                        "FingerprintDocument")) {
            Process p = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
            p.getOutputStream()
                    .write(
                            script(
                                            id,
                                            Map.of(
                                                    "bucket",
                                                    "b",
                                                    "key",
                                                    "backups/k",
                                                    "database",
                                                    "d",
                                                    "container",
                                                    "",
                                                    "compression",
                                                    "gzip",
                                                    "passwordParameter",
                                                    ""))
                                    .getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(id + ": " + out).isZero();
        }
    }
}
