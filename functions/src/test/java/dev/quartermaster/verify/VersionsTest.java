package dev.quartermaster.verify;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class VersionsTest {
    @ParameterizedTest(name = "promise {0}, found {1} -> {2}")
    @CsvSource({
        "6.4, 6.4.3, true",
        "6.4, 6.4, true",
        "6.4, 6.5.5, false",
        "6.4, 6.40.1, false",
        "6, 6.4.3, true",
        "6.4.3, 6.4.3, true",
        "6.4.3, 6.4.30, false",
        "6.4.3, 6.4.3.1, false",
        "6.4.3, 6.4, false"
    })
    void keeps_comparesPromiseWithFound(String promised, String found, boolean expected) {
        assertThat(Versions.keeps(promised, found)).isEqualTo(expected);
    }
}
