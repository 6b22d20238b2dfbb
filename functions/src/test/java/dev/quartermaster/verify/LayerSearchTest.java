package dev.quartermaster.verify;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class LayerSearchTest {
    private static final String TARGET = "usr/src/wordpress/wp-includes/version.php";

    @ParameterizedTest(name = "{0} deletes target: {1}")
    @CsvSource({
        "usr/src/wordpress/wp-includes/.wh.version.php, true",
        "usr/src/.wh.wordpress, true",
        "usr/src/wordpress/.wh..wh..opq, true",
        "usr/src/wordpress/wp-includes/.wh.version.php.bak, false",
        "usr/src/wordpress/wp-includes/version.php, false",
        "usr/lib/.wh..wh..opq, false",
        "usr/src/.wh.word, false"
    })
    void deletes_honoursWhiteoutAndOpaqueMarkers(String entry, boolean expected) {
        assertThat(LayerSearch.deletes(entry, TARGET)).isEqualTo(expected);
    }
}
