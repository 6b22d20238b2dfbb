package dev.quartermaster.verify;

import dev.quartermaster.common.Alert;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Unit tests, no process started: what goes into a scan alert from the event's tags. */
class ScanServiceTest {

    @Test
    void describeTags_showsAFewBoundedTagsAndCountsTheRest() {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            tags.add("release-" + "x".repeat(60) + i);
        }

        String d = ScanService.describeTags(tags);

        assertThat(d).contains("(+47 more)").hasSizeLessThan(200);
    }

    @Test
    void alertSubject_isOneLineOfPrintableAsciiUnderTheSnsLimit() {
        Alert a =
                new Alert(
                        "FAILED_SCAN",
                        "FAILED_SCAN: repo:tag\r\nBcc: x@example.com \u0007 " + "y".repeat(300),
                        "m\u0000ok\nnext",
                        Map.of("tag", "t\r\nx"));

        assertThat(a.subject())
                .doesNotContain("\r")
                .doesNotContain("\n")
                .doesNotContain("\u0007")
                .hasSizeLessThanOrEqualTo(100);
        assertThat(a.message()).isEqualTo("m ok\nnext");
        assertThat(a.attributes().get("tag")).isEqualTo("t  x");
    }
}
