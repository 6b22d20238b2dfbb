package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.local.LocalEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
