package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.Qm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm report --out FILE.html on a local state (a fresh one: every chart says it has no records,
 * and is still drawn).
 */
class ReportCommandIT {
    @Test
    void report_onTheLocalState_writesOneSelfContainedPage(@TempDir Path home) throws Exception {
        String before = System.getProperty("qm.home");
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path file = home.resolve("evidence.html");
        try {
            System.setProperty("qm.home", home.toString());
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(Qm.execute("report", "--since", "30d", "--out", file.toString())).isZero();
        } finally {
            System.setOut(stdout);
            if (before == null) {
                System.clearProperty("qm.home");
            } else {
                System.setProperty("qm.home", before);
            }
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("report written: " + file.toAbsolutePath() + " (7 charts, ");
        String page = Files.readString(file);
        assertThat(page)
                .startsWith("<!DOCTYPE html>")
                .contains("the local state (.qm/)", "no records in this period")
                .doesNotContain("<script", "http://", "https://", "src=", "<link", "url(");
        ReportPage.CHARTS.forEach(c -> assertThat(page).contains("<svg data-chart=\"" + c + "\""));
    }
}
