package dev.quartermaster.cli.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

public class LocalSiteTest {

    /**
     * podman-compose names a project's containers after its directory: two state folders, two
     * names.
     */
    @Test
    void projectDir_differsBetweenStateFolders_andStaysTheSameForOne(
            @TempDir Path a, @TempDir Path b) throws Exception {
        Path one = LocalSite.projectDir(a.resolve(".qm"));
        Path other = LocalSite.projectDir(b.resolve(".qm"));

        assertThat(one.getFileName().toString())
                .isNotEqualTo(other.getFileName().toString())
                .startsWith("site-");
        assertThat(LocalSite.projectDir(a.resolve(".qm"))).isEqualTo(one);
        Files.createDirectories(a.resolve(".qm/site"));
        Files.writeString(a.resolve(".qm/site/docker-compose.yml"), "services: {}\n");
        assertThat(LocalSite.projectDir(a.resolve(".qm")).getFileName().toString())
                .as("a site made before keeps its folder")
                .isEqualTo("site");
    }
}
