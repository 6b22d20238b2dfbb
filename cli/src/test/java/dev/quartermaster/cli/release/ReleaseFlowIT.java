package dev.quartermaster.cli.release;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole release path on local backends and real containers: the ledger's gate, a verified
 * restore point, release.sh run by the local agent on a podman-compose site, release-status
 * recording the host's report, the alerts, the history and rollback.
 */
public class ReleaseFlowIT {

    @Test
    void releaseBrokenReleaseRollbackAndRefusal_areProvenRecordedAndAlerted(@TempDir Path dir)
            throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        // the host scripts are found from the project root, as bin/qm tells the CLI with -Dqm.home
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String v1 =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v1",
                            LocalPodman.wordpressImage("6.4.3", 1, 4096, "it-1"));
            String v2 =
                    pusher.push(
                            "wordpress",
                            "wp-6.5-v2",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "it-2"));
            String broken =
                    pusher.push(
                            "wordpress",
                            "wp-6.6-v1",
                            LocalPodman.wordpressImage("6.6.1", 1, 4096, "it-3", false));
            String liar =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v3",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "it-4"));
            var ctx = ReleaseContext.local(local, true, out);
            Object[][] images = {
                {"wp-6.4-v1", v1, "6.4.3", ImageVerdict.VERIFIED},
                {"wp-6.5-v2", v2, "6.5.5", ImageVerdict.VERIFIED},
                {"wp-6.6-v1", broken, "6.6.1", ImageVerdict.VERIFIED},
                {"wp-6.4-v3", liar, "6.5.5", ImageVerdict.MISMATCH}
            };
            for (Object[] i : images) {
                LedgerSeed.pushed(
                        ctx.platform,
                        (String) i[0],
                        (String) i[1],
                        (String) i[2],
                        (ImageVerdict) i[3]);
            }
            LocalSite site = local.site();
            site.start(v1);
            assertThat(site.awaitServed("6.4.3", Duration.ofSeconds(30))).isEqualTo("6.4.3");

            ReleaseRecord released =
                    ctx.flow.release("wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it");
            assertThat(released.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(site.served()).isEqualTo("6.5.5");
            assertThat(released.restorePoint()).startsWith("backups/wordpress/");
            assertThat(
                            dev.quartermaster.backup.BackupRoot.store(ctx.platform)
                                    .latestVerified("wordpress")
                                    .orElseThrow()
                                    .key())
                    .as("the restore point is a verified backup")
                    .isEqualTo(released.restorePoint());

            ReleaseRecord failed =
                    ctx.flow.release("wordpress:wp-6.6-v1", null, ReleaseRecord.Kind.RELEASE, "it");
            assertThat(failed.status()).isEqualTo(ReleaseRecord.Status.ROLLED_BACK);
            assertThat(failed.running()).isEqualTo(v2);
            assertThat(site.served()).isEqualTo("6.5.5");
            assertThat(
                            ctx.platform
                                    .alertLog()
                                    .orElseThrow()
                                    .since(java.time.Instant.now().minusSeconds(3600), 100))
                    .as("the alert log")
                    .extracting(w -> w.key().kind())
                    .contains("RELEASE_ROLLED_BACK");

            assertThat(ctx.service.previousGood())
                    .as("the site's first digest was never released through Quartermaster")
                    .isEmpty();
            ReleaseRecord back =
                    ctx.flow.release(
                            "wordpress@" + v1,
                            null,
                            ReleaseRecord.Kind.ROLLBACK,
                            "it"); // rollback --to
            assertThat(back.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(site.served()).isEqualTo("6.4.3");
            assertThat(ctx.service.previousGood().orElseThrow().running())
                    .as("what a plain rollback returns to now")
                    .isEqualTo(v2);

            assertThatThrownBy(
                            () ->
                                    ctx.flow.release(
                                            "wordpress:wp-6.4-v3",
                                            null,
                                            ReleaseRecord.Kind.RELEASE,
                                            "it"))
                    .isInstanceOf(ReleaseService.Refused.class)
                    .hasMessageContaining("MISMATCH");
            assertThat(site.served()).isEqualTo("6.4.3");

            var history =
                    ReleaseRoot.store(ctx.platform)
                            .list("wordpress", dev.quartermaster.contract.Host.DEFAULT_NAME);
            assertThat(history)
                    .extracting(ReleaseRecord::status)
                    .containsExactly(
                            ReleaseRecord.Status.RELEASED,
                            ReleaseRecord.Status.ROLLED_BACK,
                            ReleaseRecord.Status.RELEASED);
            assertThat(history.get(0).kind()).isEqualTo(ReleaseRecord.Kind.ROLLBACK);
            assertThat(history.get(0).fromDigest()).isEqualTo(v2);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains(
                        "restore-point",
                        "pull",
                        "switch",
                        "prove",
                        "rollback",
                        "RELEASED: host now runs wordpress@",
                        "ROLLED_BACK: host now runs wordpress@");
    }
}
