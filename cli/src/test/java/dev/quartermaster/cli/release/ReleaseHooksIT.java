package dev.quartermaster.cli.release;

import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalSite;
import dev.quartermaster.contract.Host;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cdk.json's releaseHooks on the local path bin/qm takes: read through the option parser, fixed in
 * what the local agent runs, run by release.sh on a podman-compose site with the host's name the
 * release service sends, and recorded in the release history by release-status.
 */
public class ReleaseHooksIT {

    @Test
    void aFailingAfterSwitchHook_rollsBack_andTheHooksOutputIsInTheRecord(@TempDir Path dir)
            throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (LocalEnvironment local = new LocalEnvironment(dir, true)) {
            local.context(
                    List.of(
                            "releaseHooks={\"beforeSwitch\":\"/bin/busybox env\","
                                    + "\"afterSwitch\":\"/bin/cat /var/www/html/.qm-migrated\"}"));
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String v1 =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v1",
                            LocalPodman.wordpressImage("6.4.3", 1, 4096, "hooks-1"));
            String v2 =
                    pusher.push(
                            "wordpress",
                            "wp-6.5-v2",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "hooks-2"));
            var ctx = ReleaseContext.local(local, false, out);
            Object[][] images = {{"wp-6.4-v1", v1, "6.4.3"}, {"wp-6.5-v2", v2, "6.5.5"}};
            for (Object[] i : images) {
                LedgerSeed.pushed(
                        ctx.platform,
                        (String) i[0],
                        (String) i[1],
                        (String) i[2],
                        ImageVerdict.VERIFIED);
            }
            LocalSite site = local.site();
            site.start(v1);
            assertThat(site.awaitServed("6.4.3", Duration.ofSeconds(30))).isEqualTo("6.4.3");

            ReleaseRecord r =
                    ctx.flow.release("wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it");

            assertThat(r.status()).as(r.reason()).isEqualTo(ReleaseRecord.Status.ROLLED_BACK);
            assertThat(r.running()).isEqualTo(v1);
            assertThat(r.reason()).contains("afterSwitch hook failed", ".qm-migrated");
            assertThat(site.served()).isEqualTo("6.4.3");
            // the record keeps each hook's output: beforeSwitch saw the release's variables and
            // the host's name the release service sent
            var recorded =
                    ReleaseRoot.store(ctx.platform)
                            .list("wordpress", Host.DEFAULT_NAME)
                            .get(0)
                            .steps();
            assertThat(recorded)
                    .contains(
                            "\"step\":\"before-switch\",\"status\":\"ok\"",
                            "QM_HOST_NAME=" + Host.DEFAULT_NAME,
                            "QM_DIGEST=" + v2,
                            "QM_VERSION=6.5.5",
                            "QM_PREVIOUS_DIGEST=" + v1,
                            "\"step\":\"after-switch\",\"status\":\"failed\"",
                            "\"step\":\"rollback\",\"status\":\"ok\"");
        }
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("before-switch", "after-switch", "ROLLED_BACK");
    }
}
