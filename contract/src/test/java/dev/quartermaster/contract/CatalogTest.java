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
        Catalog.ALL.forEach(f -> assertThat(f.settings()).contains(Setting.TABLE_NAME, Setting.ALERT_TOPIC_ARN, Setting.EXPECTED_ACCOUNT));
    }
}
