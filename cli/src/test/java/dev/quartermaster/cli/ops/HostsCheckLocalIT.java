package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.local.LocalEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/qm hosts check on the local site: the real script through the local agent, against the local
 * registry and S3; its endpoints are loopback addresses, which it says, and which fail once
 * privateHosts asks for private ones.
 */
class HostsCheckLocalIT {
    @Test
    void onTheLocalSite_everyCheckRuns_andLoopbackIsReportedAsSuch(@TempDir Path dir)
            throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        // the host scripts are found from the project root, as bin/qm tells the CLI with -Dqm.home
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            List<HostsChecks.Line> lines = HostsCommand.Check.local(local, null);
            assertThat(lines)
                    .extracting(l -> l.check() + " " + l.status())
                    .containsExactly(
                            "dns:127.0.0.1 ok",
                            "dns:127.0.0.1 ok",
                            "ecr-login skipped",
                            "manifest skipped",
                            "backup-bucket ok");
            assertThat(lines.get(0).detail()).isEqualTo("127.0.0.1 (loopback)");
            assertThat(lines).extracting(HostsChecks.Line::host).containsOnly("host");

            local.context(
                    List.of(
                            "privateHosts={\"vpcId\":\"vpc-1a2b3c4d\",\"subnets\":[\"subnet-1a2b3c4d\"],"
                                    + "\"routeTables\":[\"rtb-1a2b3c4d\"]}"));
            List<HostsChecks.Line> strict = HostsCommand.Check.local(local, null);
            assertThat(strict)
                    .filteredOn(l -> l.check().startsWith("dns:"))
                    .allSatisfy(
                            l -> {
                                assertThat(l.status()).isEqualTo("failed");
                                assertThat(l.detail()).contains("a private address was expected");
                            });
        }
    }

    /**
     * The issue's three hosts (web1, web2 app; db database only): each app host is checked on its
     * own site (web2's pinned release is read, web1 has none), the database host on the shared
     * registry and S3 with no compose project (its manifest check skipped, nothing failed).
     */
    @Test
    void withTwoAppHostsAndADatabaseHost_eachHostIsCheckedOnItsOwnSite(@TempDir Path dir)
            throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            local.context(
                    List.of(
                            "hosts=[{\"name\":\"web1\",\"tagKey\":\"qm:host\",\"tagValue\":\"web1\","
                                    + "\"roles\":[\"app\"]},{\"name\":\"web2\",\"tagKey\":\"qm:host\","
                                    + "\"tagValue\":\"web2\",\"roles\":[\"app\"]},{\"name\":\"db\","
                                    + "\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]}]"));
            // web2 pins a release (a digest the registry does not hold): only web2's check reads it
            String pinned = "sha256:" + "ab".repeat(32);
            String repo = local.site("web2").scriptEnv().get("QM_IMAGE_REPO");
            Files.writeString(
                    local.site("web2").dir().resolve(".qm-release.yml"),
                    "services:\n  wordpress:\n    image: " + repo + "@" + pinned + "\n");

            List<HostsChecks.Line> lines = HostsCommand.Check.local(local, null);

            assertThat(lines)
                    .extracting(l -> l.host() + " " + l.check() + " " + l.status())
                    .containsExactly(
                            "web1 dns:127.0.0.1 ok",
                            "web1 dns:127.0.0.1 ok",
                            "web1 ecr-login skipped",
                            "web1 manifest skipped",
                            "web1 backup-bucket ok",
                            "web2 dns:127.0.0.1 ok",
                            "web2 dns:127.0.0.1 ok",
                            "web2 ecr-login skipped",
                            "web2 manifest failed",
                            "web2 backup-bucket ok",
                            "db dns:127.0.0.1 ok",
                            "db dns:127.0.0.1 ok",
                            "db ecr-login skipped",
                            "db manifest skipped",
                            "db backup-bucket ok");
            assertThat(lines)
                    .filteredOn(l -> l.host().equals("web2") && l.check().equals("manifest"))
                    .singleElement()
                    .satisfies(l -> assertThat(l.detail()).contains(pinned).contains("HTTP 404"));
            assertThat(lines)
                    .filteredOn(l -> l.host().equals("db") && l.check().equals("manifest"))
                    .singleElement()
                    .satisfies(l -> assertThat(l.detail()).contains("no release pinned"));

            // a digest given: every host reads it, the database host too
            List<HostsChecks.Line> given = HostsCommand.Check.local(local, pinned);
            assertThat(given)
                    .filteredOn(l -> l.check().equals("manifest"))
                    .extracting(HostsChecks.Line::host)
                    .containsExactly("web1", "web2", "db");
        }
    }
}
