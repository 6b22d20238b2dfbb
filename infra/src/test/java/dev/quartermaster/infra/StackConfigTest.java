package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
    @Test
    void from_whenNothingSet_usesDocumentedDefaults() {
        Config c = Config.from(k -> null);

        assertThat(c.repositories()).containsExactly("wordpress");
        assertThat(c.backupRetentionDays()).isEqualTo(7);
        assertThat(c.backupSchedule()).isEqualTo("cron(0 3 * * ? *)");
        assertThat(c.verifyRules()).contains("version.php");
    }

    @Test
    void from_whenListGivenAsJsonOrCsv_readsBoth() {
        assertThat(Config.from(Map.<String, Object>of("repositories", List.of("a1", "b2"))::get).repositories()).containsExactly("a1", "b2");
        assertThat(Config.from(Map.<String, Object>of("repositories", "a1, b2")::get).repositories()).containsExactly("a1", "b2");
    }

    @Test
    void from_whenSeveralValuesBad_reportsEachWithHowToFix() {
        Map<String, Object> ctx = Map.of("repositories", "Bad Name", "alertEmail", "nope",
                "backupSchedule", "every day", "backupRetentionDays", "seven", "database", "wp;drop");

        assertThatThrownBy(() -> Config.from(ctx::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repositories: 'Bad Name'")
                .hasMessageContaining("alertEmail: 'nope'")
                .hasMessageContaining("backupSchedule: 'every day'").hasMessageContaining("cron(")
                .hasMessageContaining("backupRetentionDays: 'seven' is not a whole number")
                .hasMessageContaining("database: 'wp;drop'")
                .hasMessageContaining("-c key=value");
    }

    @Test
    void from_whenColdTransitionNotBeforeExpiry_rejects() {
        assertThatThrownBy(() -> Config.from(Map.<String, Object>of("backupColdAfterDays", 7)::get))
                .hasMessageContaining("backupColdAfterDays (7) must be smaller than backupRetentionDays (7)");
    }

    @Test
    void from_whenVerifyRuleHasNoVersionGroup_rejects() {
        String rules = "[{\"repository\":\"wordpress\",\"tagPattern\":\"^wp-.*$\",\"source\":\"label\",\"key\":\"org.opencontainers.image.version\"}]";

        assertThatThrownBy(() -> Config.from(Map.<String, Object>of("verifyRules", rules)::get))
                .hasMessageContaining("verifyRules: rule 1: tagPattern needs a named group (?<version>");
    }

    @Test
    void from_whenVerifyRulesNotJson_rejects() {
        assertThatThrownBy(() -> Config.from(Map.<String, Object>of("verifyRules", "[{")::get))
                .hasMessageContaining("verifyRules: not valid JSON");
    }
}
