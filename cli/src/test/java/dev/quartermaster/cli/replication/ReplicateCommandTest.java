package dev.quartermaster.cli.replication;

import dev.quartermaster.cli.Qm;
import dev.quartermaster.replication.Destination;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicateCommandTest {
    private static final String HOME = "123456789012";
    private static final List<Destination> CONFIGURED =
            List.of(
                    new Destination("eu-central-1", HOME),
                    new Destination("eu-west-1", "444455556666"));

    @Test
    void configured_whenTheDestinationIsConfigured_returnsIt() {
        assertThat(ReplicateCommand.Backfill.configured("eu-central-1", HOME, CONFIGURED))
                .isEqualTo(CONFIGURED.get(0));
        assertThat(ReplicateCommand.Backfill.configured("eu-west-1/444455556666", HOME, CONFIGURED))
                .isEqualTo(CONFIGURED.get(1));
    }

    @Test
    void configured_whenTheDestinationIsNotConfigured_refusesNamingTheConfiguredOnes() {
        assertThatThrownBy(
                        () -> ReplicateCommand.Backfill.configured("eu-west-1", HOME, CONFIGURED))
                .hasMessageContaining(
                        "eu-west-1/123456789012) is not a configured replication destination")
                .hasMessageContaining("[eu-central-1/123456789012, eu-west-1/444455556666]");
    }

    @Test
    void configured_whenNothingIsConfigured_saysHowToConfigureIt() {
        assertThatThrownBy(() -> ReplicateCommand.Backfill.configured("eu-west-3", HOME, List.of()))
                .hasMessageContaining("no replication destination is configured")
                .hasMessageContaining("[{\"region\":\"eu-west-3\"}]");
    }

    @Test
    void homeRegistry_withoutTheReleaseImageUri_saysWhereItComesFrom() {
        assertThatThrownBy(() -> ReplicateCommand.Backfill.homeRegistry(Map.of("TABLE_NAME", "t")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RELEASE_IMAGE_URI is not set")
                .hasMessageContaining("--outputs-file");
        assertThatThrownBy(
                        () ->
                                ReplicateCommand.Backfill.homeRegistry(
                                        Map.of("RELEASE_IMAGE_URI", "wordpress")))
                .hasMessageContaining("RELEASE_IMAGE_URI is 'wordpress'");
        assertThat(
                        ReplicateCommand.Backfill.homeRegistry(
                                Map.of(
                                        "RELEASE_IMAGE_URI",
                                        HOME + ".dkr.ecr.us-east-1.amazonaws.com/wordpress")))
                .isEqualTo(HOME + ".dkr.ecr.us-east-1.amazonaws.com");
    }

    @Test
    void backfill_toADestinationNotConfigured_exits2BeforeCopyingAnything(@TempDir Path home)
            throws Exception {
        Files.writeString(
                home.resolve("cdk.json"),
                "{\"context\":{\"repositories\":[\"wordpress\"],\"replication\":[{\"region\":\"eu-central-1\"}]}}");
        String old = System.getProperty("qm.home");
        System.setProperty("qm.home", home.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err));
        try {
            int rc = Qm.execute("replicate", "backfill", "--to", "ap-south-1");

            assertThat(rc).isEqualTo(2);
            assertThat(err.toString())
                    .contains(
                            "ap-south-1/123456789012) is not a configured replication destination")
                    .contains("[eu-central-1/123456789012]");
            assertThat(home.resolve(".qm")).doesNotExist(); // no local backend was started
        } finally {
            System.setErr(oldErr);
            if (old == null) {
                System.clearProperty("qm.home");
            } else {
                System.setProperty("qm.home", old);
            }
        }
    }
}
