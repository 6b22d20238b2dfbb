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

    /** One compose project per app host: the one-host configuration's host keeps its folder. */
    @Test
    void projectDir_perHost_isTheStateFoldersSiteWithTheHostsName(@TempDir Path a)
            throws Exception {
        Path state = a.resolve(".qm");
        Path web1 = LocalSite.projectDir(state, "web1");
        Path web2 = LocalSite.projectDir(state, "web2");

        assertThat(LocalSite.projectDir(state, "host")).isEqualTo(LocalSite.projectDir(state));
        assertThat(web1.getFileName().toString())
                .isEqualTo(LocalSite.projectDir(state).getFileName() + "-web1");
        assertThat(web2).isNotEqualTo(web1);
        assertThat(web2.getParent()).isEqualTo(state);
        Files.createDirectories(state.resolve("site"));
        Files.writeString(state.resolve("site/docker-compose.yml"), "services: {}\n");
        assertThat(LocalSite.projectDir(state, "web1"))
                .as("a named host's folder does not follow the old one-host folder")
                .isEqualTo(web1);
    }
}
