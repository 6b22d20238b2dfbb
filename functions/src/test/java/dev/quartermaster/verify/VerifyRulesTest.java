package dev.quartermaster.verify;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyRulesTest {
    @Test
    void defaults_matchLabTagsAndOfficialTags() {
        VerifyRules rules = VerifyRules.defaults();

        assertThat(rules.match("wordpress", "wp-6.4-v1"))
                .get()
                .extracting(VerifyRules.Match::promised)
                .isEqualTo("6.4");
        assertThat(rules.match("wordpress", "6.4.3-php8.2-apache"))
                .get()
                .extracting(VerifyRules.Match::promised)
                .isEqualTo("6.4.3");
        assertThat(rules.match("wordpress", "latest")).isEmpty();
        assertThat(rules.match("wordpress", "wp-6.4-v1").get().rule().path())
                .isEqualTo("usr/src/wordpress/wp-includes/version.php");
    }

    @Test
    void parse_whenRegexLacksVersionGroup_saysSo() {
        String json =
                "[{\"repository\":\"*\",\"tagPattern\":\"^v(?<version>.+)$\",\"source\":\"file\",\"path\":\"/a\",\"regex\":\"x\"}]";

        assertThatThrownBy(() -> VerifyRules.parse(json))
                .hasMessageContaining("rule 1: regex needs a named group (?<version>");
    }

    @Test
    void parse_whenSourceUnknown_saysWhichAreKnown() {
        String json =
                "[{\"repository\":\"*\",\"tagPattern\":\"^v(?<version>.+)$\",\"source\":\"manifest\"}]";

        assertThatThrownBy(() -> VerifyRules.parse(json)).hasMessageContaining("file, label, env");
    }
}
