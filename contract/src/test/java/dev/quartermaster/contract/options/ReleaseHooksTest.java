package dev.quartermaster.contract.options;

import dev.quartermaster.contract.HostDocument;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cdk.json releaseHooks: argument words only, each refusal naming the hook and the character. */
class ReleaseHooksTest {
    private static ReleaseHooks read(Object value) {
        return Configuration.read(OptionSource.of(Map.of("releaseHooks", value))).release().hooks();
    }

    private static String refusal(Object value) {
        try {
            Configuration.read(OptionSource.of(Map.of("releaseHooks", value)));
        } catch (Problems.InvalidConfiguration e) {
            return e.getMessage();
        }
        throw new AssertionError("releaseHooks " + value + " was accepted");
    }

    @Test
    void noHooks_isTheDefault_andSetsNoVariable() {
        ReleaseHooks none = Configuration.read(OptionSource.of(Map.of())).release().hooks();

        assertThat(none).isEqualTo(ReleaseHooks.NONE);
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.environment()).isEmpty();
        assertThat(read("{}")).isEqualTo(ReleaseHooks.NONE);
        assertThat(read("")).isEqualTo(ReleaseHooks.NONE);
    }

    @Test
    void wordsOfTheSafeCharacters_areAccepted_fromCdkJsonOrTheCommandLine() {
        ReleaseHooks h =
                read(
                        Map.of(
                                "beforeSwitch",
                                "wp maintenance-mode activate --allow-root",
                                "afterSwitch",
                                "wp core update-db --allow-root --path=/var/www/html",
                                "beforeRollback",
                                "/usr/local/bin/notify rollback user@example.com 50% a+b,c:d"));

        assertThat(h.beforeSwitch()).isEqualTo("wp maintenance-mode activate --allow-root");
        assertThat(h.count()).isEqualTo(3);
        assertThat(h.environment())
                .containsExactly(
                        Map.entry(
                                "QM_HOOK_BEFORE_SWITCH",
                                "wp maintenance-mode activate --allow-root"),
                        Map.entry(
                                "QM_HOOK_AFTER_SWITCH",
                                "wp core update-db --allow-root --path=/var/www/html"),
                        Map.entry(
                                "QM_HOOK_BEFORE_ROLLBACK",
                                "/usr/local/bin/notify rollback user@example.com 50% a+b,c:d"));
        assertThat(h.environment().keySet())
                .isSubsetOf(HostDocument.RELEASE.optionalSiteVariables());
        // -c releaseHooks='{"afterSwitch":"wp core update-db"}' arrives as text
        ReleaseHooks one = read("{\"afterSwitch\":\"wp core update-db\"}");
        assertThat(one).isEqualTo(new ReleaseHooks("", "wp core update-db", ""));
        assertThat(one.environment()).containsOnlyKeys("QM_HOOK_AFTER_SWITCH");
    }

    @Test
    void shellText_isRefused_namingTheHookTheCharacterAndWhere() {
        assertThat(refusal(Map.of("beforeSwitch", "wp maintenance-mode activate; rm -rf /")))
                .contains("releaseHooks.beforeSwitch:")
                .contains("the character ';' at position 29")
                .contains("without a shell");
        for (String bad :
                List.of(
                        "touch /tmp/x && rm y",
                        "echo $HOME",
                        "echo `id`",
                        "echo $(id)",
                        "cat < /etc/passwd",
                        "ls > /tmp/out",
                        "ls *",
                        "sh -c 'touch x'",
                        "say \"hi\"",
                        "a\\b",
                        "ls | sh",
                        "echo {{ digest }}",
                        "wp\ncore",
                        "wp\tcore",
                        "caf\u00e9")) {
            assertThat(refusal(Map.of("afterSwitch", bad)))
                    .as(bad)
                    .contains("releaseHooks.afterSwitch:")
                    .contains("contains the character");
        }
        assertThat(refusal(Map.of("afterSwitch", "caf\u00e9"))).contains("U+00E9");
        assertThat(refusal(Map.of("beforeRollback", "say 'hi'")))
                .contains("releaseHooks.beforeRollback:")
                .contains("the character ' (a quote) at position 5");
    }

    @Test
    void shapeAndBounds_areChecked() {
        assertThat(refusal(Map.of("beforeSwitch", "wp  core"))).contains("single spaces");
        assertThat(refusal(Map.of("beforeSwitch", " wp"))).contains("single spaces");
        assertThat(refusal(Map.of("beforeSwitch", "--privileged sh"))).contains("starts with '-'");
        assertThat(refusal(Map.of("beforeSwitch", "x".repeat(257))))
                .contains("257 characters, more than 256");
        assertThat(refusal(Map.of("beforeSwitch", "a ".repeat(32) + "b")))
                .contains("33 words, more than 32");
        assertThat(read(Map.of("beforeSwitch", "x".repeat(256))).beforeSwitch()).hasSize(256);
        assertThat(refusal(Map.of("beforeSwitchh", "wp core update-db")))
                .contains("unknown hook 'beforeSwitchh'")
                .contains("beforeSwitch, afterSwitch, beforeRollback");
        assertThat(refusal(Map.of("afterSwitch", List.of("wp", "core"))))
                .contains("releaseHooks.afterSwitch: must be a string");
        assertThat(refusal("wp core update-db")).contains("releaseHooks: must be a JSON object");
        assertThat(refusal("[\"wp\"]")).contains("releaseHooks: must be a JSON object");
    }

    @Test
    void check_isWhatReleaseShChecksToo() {
        assertThat(ReleaseHooks.check("")).isNull();
        assertThat(ReleaseHooks.check("/bin/busybox env")).isNull();
        assertThatThrownBy(
                        () ->
                                Configuration.read(
                                        OptionSource.of(
                                                Map.of(
                                                        "releaseHooks",
                                                        Map.of("beforeSwitch", "a|b")))))
                .isInstanceOf(Problems.InvalidConfiguration.class)
                .hasMessageContaining("'|'");
    }
}
