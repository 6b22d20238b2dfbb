package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackConfigTest {
    @Test
    void from_whenNothingSet_usesDocumentedDefaults() {
        StackConfig c = StackConfig.from(Map.of());

        assertThat(c.repositories()).containsExactly("wordpress");
        assertThat(c.options().backups().retentionDays()).isEqualTo(7);
        assertThat(c.options().backups().schedule()).isEqualTo("cron(0 3 * * ? *)");
        assertThat(c.options().checks().verifyRules()).contains("version.php");
        assertThat(c.signing()).isEqualTo(Signing.off());
    }

    @Test
    void from_whenListGivenAsJsonOrCsv_readsBoth() {
        assertThat(
                        StackConfig.from(
                                        Map.<String, Object>of("repositories", List.of("a1", "b2")))
                                .repositories())
                .containsExactly("a1", "b2");
        assertThat(
                        StackConfig.from(Map.<String, Object>of("repositories", "a1, b2"))
                                .repositories())
                .containsExactly("a1", "b2");
    }

    @Test
    void from_whenSeveralValuesBad_reportsEachWithHowToFix() {
        Map<String, Object> ctx =
                Map.of(
                        "repositories",
                        "Bad Name",
                        "alertEmail",
                        "nope",
                        "backupSchedule",
                        "every day",
                        "backupRetentionDays",
                        "seven",
                        "database",
                        "wp;drop");

        assertThatThrownBy(() -> StackConfig.from(ctx))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repositories: 'Bad Name'")
                .hasMessageContaining("alertEmail: 'nope'")
                .hasMessageContaining("backupSchedule: 'every day'")
                .hasMessageContaining("cron(")
                .hasMessageContaining("backupRetentionDays: 'seven' is not a whole number")
                .hasMessageContaining("database: 'wp;drop'")
                .hasMessageContaining("-c key=value");
    }

    @Test
    void from_whenColdTransitionNotBeforeExpiry_rejects() {
        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("backupColdAfterDays", 7)))
                .hasMessageContaining(
                        "backupColdAfterDays (7) must be smaller than backupRetentionDays (7)");
    }

    @Test
    void from_whenVerifyRuleHasNoVersionGroup_rejects() {
        String rules =
                "[{\"repository\":\"wordpress\",\"tagPattern\":\"^wp-.*$\",\"source\":\"label\",\"key\":\"org.opencontainers.image.version\"}]";

        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("verifyRules", rules)))
                .hasMessageContaining(
                        "verifyRules: rule 1: tagPattern needs a named group (?<version>");
    }

    @Test
    void from_whenVerifyRulesNotJson_rejects() {
        assertThatThrownBy(() -> StackConfig.from(Map.<String, Object>of("verifyRules", "[{")))
                .hasMessageContaining("verifyRules: not valid JSON");
    }
}
