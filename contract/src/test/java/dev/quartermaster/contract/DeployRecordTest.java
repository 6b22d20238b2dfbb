package dev.quartermaster.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeployRecordTest {
    @Test
    void read_whenNothingWasDeployed_isNull(@TempDir Path dir) {
        assertThat(DeployRecord.read(dir.resolve(DeployRecord.FILE), "Quartermaster")).isNull();
    }

    @Test
    void write_thenRead_perStack_keepingOtherStacksAndRepositories(@TempDir Path dir) {
        Path file = dir.resolve(DeployRecord.FILE);
        DeployRecord.write(
                file,
                "Quartermaster",
                new DeployRecord("123456789012", "us-east-1", Map.of("wordpress", "KMS")));
        DeployRecord.write(
                file, "Staging", new DeployRecord(null, null, Map.of("wordpress", "AES256")));
        DeployRecord.write(
                file,
                "Quartermaster",
                new DeployRecord("123456789012", "us-east-1", Map.of("mariadb", "AES256")));

        assertThat(DeployRecord.read(file, "Quartermaster"))
                .isEqualTo(
                        new DeployRecord(
                                "123456789012",
                                "us-east-1",
                                Map.of("wordpress", "KMS", "mariadb", "AES256")));
        assertThat(DeployRecord.read(file, "Staging").encryption())
                .containsExactly(Map.entry("wordpress", "AES256"));
    }

    @Test
    void hasSynthRecord_findsWhatEarlierVersionsWroteAtEverySynth(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve(DeployRecord.FILE);
        Files.writeString(file, "{\"repositoryEncryption\": {\"wordpress\": \"AES256\"}}");

        assertThat(DeployRecord.hasSynthRecord(file)).isTrue();
        assertThat(DeployRecord.read(file, "Quartermaster"))
                .as("a synth's record is not a deploy's")
                .isNull();
    }

    @Test
    void read_whenNotJson_saysHowToFixIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(DeployRecord.FILE);
        Files.writeString(file, "{not json");

        assertThatThrownBy(() -> DeployRecord.read(file, "Quartermaster"))
                .hasMessageContaining("is not JSON")
                .hasMessageContaining("restore it from git");
    }
}
