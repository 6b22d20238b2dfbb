package dev.quartermaster.cli.commands;

import dev.quartermaster.archive.ArchiveIndex;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class ArchiveCommandTest {
    private static final ArchiveIndex.Entry WP =
            new ArchiveIndex.Entry(
                    "wordpress",
                    "wp-6.4-v1",
                    "sha256:" + "a".repeat(64),
                    "application/vnd.oci.image.manifest.v1+json",
                    100,
                    Instant.EPOCH,
                    true,
                    0,
                    0,
                    "",
                    null);

    @Test
    void restoreTo_aRepositoryWithoutATag_keepsTheArchivedTag() {
        var d = ArchiveCommand.Destination.parse("http://127.0.0.1:5000/restored/wordpress");

        assertThat(d.repositoryFor(WP)).isEqualTo("restored/wordpress");
        assertThat(d.tagFor(WP)).isEqualTo("wp-6.4-v1");
    }

    @Test
    void restoreTo_aRegistryOrATag_usesWhatWasGiven() {
        assertThat(ArchiveCommand.Destination.parse("http://127.0.0.1:5000").repositoryFor(WP))
                .isEqualTo("wordpress");
        assertThat(ArchiveCommand.Destination.parse("http://127.0.0.1:5000/x:t2").tagFor(WP))
                .isEqualTo("t2");
        assertThatThrownBy(() -> ArchiveCommand.Destination.parse("http://127.0.0.1:5000/../x"))
                .hasMessageContaining("valid repository");
    }
}
