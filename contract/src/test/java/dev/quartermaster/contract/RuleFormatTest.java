package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleFormatTest {

    @Test
    void parse_whenFileRule_compilesBothPatterns() {
        var rules =
                RuleFormat.parse(
                        "[{\"repository\":\"wordpress\",\"tagPattern\":\"^wp-(?<version>\\\\d+\\\\.\\\\d+)$\",\"source\":\"file\","
                                + "\"path\":\"usr/src/wordpress/wp-includes/version.php\",\"regex\":\"'(?<version>[^']+)'\"}]");

        assertThat(rules)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.source()).isEqualTo(RuleFormat.Source.FILE);
                            assertThat(r.tagPattern().matcher("wp-6.4").matches()).isTrue();
                        });
    }

    @Test
    void problem_saysWhichRuleAndWhatToFix() {
        assertThat(RuleFormat.problem("{}")).contains("must be a JSON list of rules");
        assertThat(
                        RuleFormat.problem(
                                "[{\"repository\":\"*\",\"tagPattern\":\"^(?<version>.*)$\",\"source\":\"blob\"}]"))
                .get()
                .asString()
                .contains("rule 1")
                .contains("file, label, env");
        assertThat(
                        RuleFormat.problem(
                                "[{\"repository\":\"*\",\"tagPattern\":\"^x$\",\"source\":\"env\",\"key\":\"V\"}]"))
                .get()
                .asString()
                .contains("(?<version>");
        assertThat(
                        RuleFormat.problem(
                                "[{\"repository\":\"*\",\"tagPattern\":\"^(?<version>.*)$\",\"source\":\"label\"}]"))
                .get()
                .asString()
                .contains("needs \"key\"");
        assertThat(
                        RuleFormat.problem(
                                "[{\"repository\":\"*\",\"tagPattern\":\"(?<version>[\",\"source\":\"env\",\"key\":\"V\"}]"))
                .get()
                .asString()
                .contains("not a valid regular expression");
    }

    @Test
    void parse_whenNotJson_throwsWithTheParserMessage() {
        assertThatThrownBy(() -> RuleFormat.parse("[{"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
    }
}
