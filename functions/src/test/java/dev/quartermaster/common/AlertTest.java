package dev.quartermaster.common;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AlertTest {

    @Test
    void aLongSubject_isCutBelowSnsLimit_ofOneHundredCharacters() {
        // SNS Publish: Subject "must be less than 100 characters long" (SNS API reference; SDK
        // model PublishInput.Subject)
        for (int length : new int[] {99, 100, 101, 500}) {
            Alert a = new Alert("MISMATCH", "t".repeat(length), "m", Map.of(), null);
            assertThat(a.subject().length()).as(length + " characters given").isLessThan(100);
        }
        assertThat(new Alert("MISMATCH", "short", "m", Map.of(), null).subject())
                .isEqualTo("short");
    }
}
