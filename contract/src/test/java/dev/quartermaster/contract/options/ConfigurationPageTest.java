package dev.quartermaster.contract.options;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md's table is the one the declarations generate (-Dqm.writeDocs=true rewrites
 * it).
 */
class ConfigurationPageTest {
    static final Path PAGE = Path.of("..").resolve(ConfigurationPage.FILE);

    @Test
    void page_tableEqualsTheDeclarations() throws Exception {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("qm.writeDocs")) {
            page = ConfigurationPage.withTable(page, Options.markdownTable());
            Files.writeString(PAGE, page, StandardCharsets.UTF_8);
        }

        assertThat(ConfigurationPage.table(page))
                .as(
                        "docs/configuration.md's table differs from the declarations: regenerate it with"
                                + " mvn -q -pl contract test -Dtest=ConfigurationPageTest -Dqm.writeDocs=true")
                .isEqualTo(Options.markdownTable());
    }

    @Test
    void markdownTable_hasOneRowPerOption() {
        String table = Options.markdownTable();

        assertThat(table.lines().count()).isEqualTo(Options.ALL.size() + 2);
        Options.ALL.forEach(o -> assertThat(table).contains("| `" + o.key() + "` |"));
        assertThat(table).contains("| `backupRetentionDays` | backups | integer | `7` | stack |");
    }

    @Test
    void withTable_replacesOnlyBetweenTheMarkers() {
        String page =
                "intro\n"
                        + ConfigurationPage.BEGIN
                        + "\nold\n"
                        + ConfigurationPage.END
                        + "\nafter\n";

        assertThat(ConfigurationPage.withTable(page, "| new |\n"))
                .isEqualTo(
                        "intro\n"
                                + ConfigurationPage.BEGIN
                                + "\n| new |\n"
                                + ConfigurationPage.END
                                + "\nafter\n");
    }
}
