package dev.quartermaster.contract.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.contract.Setting;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionsTest {
    @Test
    void all_listsEveryDeclaredOptionOnce() throws Exception {
        List<Object> fields = new ArrayList<>();
        for (Field f : Options.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Option.class) {
                fields.add(f.get(null));
            }
        }

        assertThat(Options.ALL)
                .containsExactlyInAnyOrderElementsOf(
                        fields.stream().map(o -> (Option<?>) o).toList());
        assertThat(Options.ALL.stream().map(Option::key).distinct()).hasSameSizeAs(Options.ALL);
    }

    @Test
    void cdkJson_everyKeyIsDeclared() throws Exception {
        JsonNode context =
                new ObjectMapper().readTree(Path.of("..", "cdk.json").toFile()).path("context");
        Set<String> keys = new HashSet<>();
        context.fieldNames().forEachRemaining(keys::add);

        assertThat(OptionSource.cdkJson(context, List.of()).unknownKeys(Options.ALL)).isEmpty();
        assertThat(keys).contains("cli-telemetry"); // CDK's own, exempt
    }

    @Test
    void read_whenNothingSet_usesTheDeclaredDefaults() {
        Configuration c = Configuration.read(OptionSource.of(Map.of()));

        assertThat(c.repositories()).containsExactly("wordpress");
        assertThat(c.backups().retentionDays()).isEqualTo(7);
        assertThat(c.backups().maxBackupAgeHours())
                .isEqualTo(Setting.MAX_BACKUP_AGE_HOURS.intDefault());
        assertThat(c.release().repository()).isEqualTo("wordpress");
        assertThat(c.signing()).isEqualTo(SigningOptions.off());
        assertThat(c.checks().verifyRules()).contains("version.php");
        assertThat(c.hosts().json()).isEqualTo(Setting.HOSTS.defaultValue());
        assertThat(c.app().stackName()).isEqualTo("Quartermaster");
    }

    @Test
    void read_whenKeyUnknown_refusesWithTheClosestDeclaredKey() {
        OptionSource source = OptionSource.of(Map.of("replicaton", "[]", "backupRetentionDay", 3));

        assertThatThrownBy(() -> Configuration.read(source))
                .isInstanceOf(Problems.InvalidConfiguration.class)
                .hasMessageContaining("unknown option 'replicaton' — did you mean 'replication'?")
                .hasMessageContaining(
                        "unknown option 'backupRetentionDay' — did you mean 'backupRetentionDays'?");
    }

    @Test
    void read_whenCdkOwnKeys_acceptsThem() {
        OptionSource source =
                OptionSource.of(
                        Map.of(
                                "@aws-cdk/core:newStyleStackSynthesis",
                                true,
                                "aws:cdk:enable-path-metadata",
                                true,
                                "cli-telemetry",
                                false,
                                "availability-zones:account=123456789012:region=eu-west-1",
                                List.of("eu-west-1a")));

        assertThat(source.unknownKeys(Options.ALL)).isEmpty();
    }

    @Test
    void cdkJson_overridesAreTextAndTheLastWins() {
        JsonNode context =
                new ObjectMapper()
                        .createObjectNode()
                        .put("backupRetentionDays", 7)
                        .set("repositories", new ObjectMapper().createArrayNode().add("a1"));
        OptionSource source =
                OptionSource.cdkJson(
                        context,
                        List.of(
                                "backupRetentionDays=9",
                                "repositories=b1, c2",
                                "backupRetentionDays=14"));
        Configuration c = Configuration.read(source);

        assertThat(c.backups().retentionDays()).isEqualTo(14);
        assertThat(c.repositories()).containsExactly("b1", "c2");
        assertThat(
                        Configuration.read(
                                        OptionSource.cdkJson(
                                                context, List.of("repositories=[\"d1\",\"e2\"]")))
                                .repositories())
                .containsExactly("d1", "e2");
        assertThatThrownBy(() -> OptionSource.cdkJson(context, List.of("novalue")))
                .hasMessageContaining("write -c key=value");
    }

    @Test
    void read_whenSeveralValuesBad_reportsEachWithItsFix() {
        OptionSource source =
                OptionSource.of(
                        Map.of(
                                "repositories",
                                "Bad Name",
                                "alertEmail",
                                "nope",
                                "backupSchedule",
                                "every day",
                                "backupRetentionDays",
                                "seven",
                                "keepTaggedImages",
                                0));

        assertThatThrownBy(() -> Configuration.read(source))
                .hasMessageContaining("repositories: 'Bad Name' is not a valid ECR repository name")
                .hasMessageContaining("alertEmail: 'nope' is not an e-mail address")
                .hasMessageContaining("backupSchedule: 'every day' is not an EventBridge schedule")
                .hasMessageContaining(
                        "backupRetentionDays: 'seven' is not a whole number (e.g. -c backupRetentionDays=7)")
                .hasMessageContaining("keepTaggedImages: 0 is outside 1..10000")
                .hasMessageContaining("-c key=value");
    }

    @Test
    void withFallback_appliesOnlyWhereUnset() {
        OptionSource source =
                OptionSource.of(Map.of("homeRegion", "eu-west-1"))
                        .withFallback(Options.HOME_REGION, "us-east-1")
                        .withFallback(Options.HOME_ACCOUNT, "123456789012");
        EstateOptions estate = Configuration.read(source).estate();

        assertThat(estate.homeRegion()).isEqualTo("eu-west-1");
        assertThat(estate.homeAccount()).isEqualTo("123456789012");
        assertThat(source.keys()).containsExactly("homeRegion");
    }

    @Test
    void get_readsAnOptionOfAnExtraDeclaration() {
        Option<Integer> extra =
                Option.integer("test", "testOnlyKnob", 3, 0, 10, "a knob only this test declares");
        List<Option<?>> declared = new ArrayList<>(Options.ALL);
        declared.add(extra);

        assertThat(
                        Configuration.read(OptionSource.of(Map.of("testOnlyKnob", "5")), declared)
                                .get(extra))
                .isEqualTo(5);
        assertThatThrownBy(() -> Configuration.read(OptionSource.of(Map.of("testOnlyKnob", "5"))))
                .hasMessageContaining("unknown option 'testOnlyKnob'");
    }

    @Test
    void closest_isByEditDistance() {
        assertThat(OptionSource.distance("replicaton", "replication")).isEqualTo(1);
        assertThat(OptionSource.closest("SCANING", List.of("scanning", "signing")))
                .isEqualTo("scanning");
    }

    @Test
    void options_eachFeedsOnlyRealSettings_andHelpIsOneLine() {
        for (Option<?> o : Options.ALL) {
            assertThat(o.help()).as(o.key()).doesNotContain("\n").isNotBlank();
            assertThat(o.defaultText()).as(o.key()).isNotNull();
        }
        assertThat(Options.SCAN_MAX_HIGH.feeds()).containsExactly(Setting.SCAN_MAX_HIGH);
        assertThat(Options.STACK_NAME.feeds()).isEmpty();
    }
}
