package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogTest {

    @Test
    void names_areUniqueAndLookedUpByName() {
        Set<String> names = new HashSet<>(Catalog.names());
        assertThat(names).hasSize(Catalog.ALL.size());
        assertThat(Catalog.byName("image-verify")).contains(Catalog.IMAGE_VERIFY);
        assertThat(Catalog.byName("nope")).isEmpty();
    }

    @Test
    void everyFunction_readsTheCommonSettings() {
        Catalog.ALL.forEach(
                f ->
                        assertThat(f.settings())
                                .contains(
                                        Setting.TABLE_NAME,
                                        Setting.ALERT_TOPIC_ARN,
                                        Setting.EXPECTED_ACCOUNT,
                                        Setting.ALERT_TABLE_NAME,
                                        Setting.ALERT_GROUP_MINUTES,
                                        Setting.ALERT_FLOOD_THRESHOLD,
                                        Setting.ALERT_RETENTION_DAYS));
    }

    @Test
    void everyFunction_belongsToOneJar_byItsHandlersPackage() {
        assertThat(
                        Catalog.ALL.stream()
                                .filter(f -> f.bundle() == Bundle.IMAGES)
                                .map(FunctionSpec::name))
                .containsExactly("image-action", "image-verify", "image-scan", "alert-sweep");
        assertThat(
                        Catalog.ALL.stream()
                                .filter(f -> f.bundle() == Bundle.ARCHIVE)
                                .map(FunctionSpec::name))
                .containsExactly(
                        "image-replication",
                        "replication-backfill",
                        "image-archive",
                        "archive-scrub",
                        "archive-prune");
        assertThat(
                        Catalog.ALL.stream()
                                .filter(f -> f.bundle() == Bundle.HOST)
                                .map(FunctionSpec::name))
                .containsExactly(
                        "backup-start",
                        "backup-status",
                        "restore-drill",
                        "backup-watchdog",
                        "release-status",
                        "release-drift",
                        "lifecycle-guard");
        assertThat(Bundle.HOST.jarName("1.0")).isEqualTo("quartermaster-functions-1.0-host.jar");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new FunctionSpec(
                                        "x",
                                        "dev.quartermaster.app.Handlers",
                                        "x",
                                        Set.of(Setting.TABLE_NAME),
                                        FunctionSpec.TableAccess.LEDGER_WRITER,
                                        128,
                                        3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no function jar");
    }

    @Test
    void theVersion_isMavensOwn_andNamesTheJars() {
        assertThat(Bundle.version()).matches("[0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?");
        assertThat(Bundle.HOST.jarName())
                .isEqualTo("quartermaster-functions-" + Bundle.version() + "-host.jar");
    }
}
