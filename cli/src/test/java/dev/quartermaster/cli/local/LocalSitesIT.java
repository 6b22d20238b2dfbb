package dev.quartermaster.cli.local;

import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.contract.Host;
import dev.quartermaster.host.CommandRunner;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local site with two app hosts, on real containers: one podman-compose project per host (own
 * project, own port), the local agent sending each command to the host its tag names (as SSM's tag
 * targets do), and the fault device making one host's health check answer 500.
 */
public class LocalSitesIT {
    static final String HOSTS =
            "hosts=[{\"name\":\"web1\",\"tagKey\":\"qm:host\",\"tagValue\":\"web1\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"web2\",\"tagKey\":\"qm:host\",\"tagValue\":\"web2\",\"roles\":[\"app\"]},"
                    + "{\"name\":\"db\",\"tagKey\":\"qm:host\",\"tagValue\":\"db\",\"roles\":[\"database\"]}]";

    @Test
    void twoAppHosts_eachCommandRunsOnlyWhereItsTagPoints_andTheFaultDeviceFailsOneHost(
            @TempDir Path dir) throws Exception {
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        System.setProperty("qm.home", (cwd.endsWith("cli") ? cwd.getParent() : cwd).toString());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (LocalEnvironment local = new LocalEnvironment(dir, true).context(List.of(HOSTS))) {
            OciImages.Pusher pusher = new OciImages.Pusher(local.registry().url());
            String v1 =
                    pusher.push(
                            "wordpress",
                            "wp-6.4-v1",
                            LocalPodman.wordpressImage("6.4.3", 1, 4096, "sites-1"));
            String v2 =
                    pusher.push(
                            "wordpress",
                            "wp-6.5-v2",
                            LocalPodman.wordpressImage("6.5.5", 1, 4096, "sites-2"));
            var ctx = ReleaseContext.local(local, false, out);
            for (String[] i :
                    new String[][] {{"wp-6.4-v1", v1, "6.4.3"}, {"wp-6.5-v2", v2, "6.5.5"}}) {
                dev.quartermaster.cli.release.LedgerSeed.pushed(
                        ctx.platform, i[0], i[1], i[2], ImageVerdict.VERIFIED);
            }

            // one compose project per app host: own directory (so own project name), own port
            LocalSite web1 = local.site("web1");
            LocalSite web2 = local.site("web2");
            assertThat(local.sites()).containsExactly(web1, web2);
            assertThat(local.site()).as("the first app host's").isSameAs(web1);
            assertThat(web1.dir()).isNotEqualTo(web2.dir());
            assertThat(web1.dir().getFileName().toString()).endsWith("-web1");
            assertThat(web1.healthUrl()).isNotEqualTo(web2.healthUrl());
            assertThatThrownBy(() -> local.site("db"))
                    .as("the database host runs no app site")
                    .hasMessageContaining("no app host named 'db'");

            local.startMissingSites(v1, out);
            assertThat(web1.awaitServed("6.4.3", Duration.ofSeconds(30))).isEqualTo("6.4.3");
            assertThat(web2.awaitServed("6.4.3", Duration.ofSeconds(30))).isEqualTo("6.4.3");
            assertThat(containerNames(local))
                    .as("one container per host, named after its project")
                    .anyMatch(n -> n.contains("-web1_wordpress_"))
                    .anyMatch(n -> n.contains("-web2_wordpress_"));

            // a release targeted at web2 runs there only
            ReleaseRecord toWeb2 =
                    ctx.flow.release(
                            "wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it", "web2");
            assertThat(toWeb2.status()).isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(toWeb2.host()).isEqualTo("web2");
            assertThat(web2.served()).isEqualTo("6.5.5");
            assertThat(web1.served()).as("web1 was not targeted").isEqualTo("6.4.3");
            assertThat(ReleaseRoot.store(ctx.platform).list("wordpress", "web1")).isEmpty();
            assertThat(ReleaseRoot.store(ctx.platform).list("wordpress", "web2"))
                    .extracting(ReleaseRecord::running)
                    .containsExactly(v2);

            // the drift check goes where its tag points: each host reports its own container
            LocalAgent agent = LocalServices.create(local, null, null, true).agent;
            Host db = local.hosts().database();
            String onWeb1 =
                    agent.send(LocalAgent.CHECK_DOCUMENT, Map.of(), host(local, "web1"), "");
            String onWeb2 =
                    agent.send(LocalAgent.CHECK_DOCUMENT, Map.of(), host(local, "web2"), "");
            assertThat(agent.output(onWeb1).orElseThrow())
                    .contains("-web1_wordpress_")
                    .doesNotContain("-web2_")
                    .doesNotContain(v2);
            assertThat(agent.output(onWeb2).orElseThrow())
                    .contains("-web2_wordpress_", "\"digest\":\"" + v2 + "\"")
                    .doesNotContain("-web1_");
            assertThat(agent.drain())
                    .extracting(LocalAgent.Finished::host, LocalAgent.Finished::instanceId)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "web1", LocalAgent.instanceId("web1")),
                            org.assertj.core.groups.Tuple.tuple(
                                    "web2", LocalAgent.instanceId("web2")));
            assertThat(LocalAgent.instanceId("web1"))
                    .matches("i-[0-9a-f]{17}")
                    .isNotEqualTo(LocalAgent.instanceId("web2"));
            // a tag no configured host carries reaches nothing, as SSM's tag target would
            assertThatThrownBy(
                            () ->
                                    agent.send(
                                            LocalAgent.CHECK_DOCUMENT,
                                            Map.of(),
                                            new Host(
                                                    "web3",
                                                    "qm:host",
                                                    "web3",
                                                    Set.of(Host.Role.APP)),
                                            "nobody"))
                    .isInstanceOf(CommandRunner.TargetException.class)
                    .hasMessageContaining("0 local hosts carry the tag qm:host=web3");
            // an app document on the database host: no site to run it against
            assertThatThrownBy(() -> agent.send(LocalAgent.CHECK_DOCUMENT, Map.of(), db, "no site"))
                    .isInstanceOf(CommandRunner.TargetException.class)
                    .hasMessageContaining("db does not run the app");
            assertThat(agent.drain()).as("nothing ran").isEmpty();

            // the fault device: web1's health answers 500 while it serves 6.4.3, web2 is unaffected
            web1.failHealth("6.4.3");
            assertThat(status(web1.healthUrl())).isEqualTo(500);
            assertThat(web1.served()).isEqualTo("HTTP 500");
            assertThat(web2.served()).isEqualTo("6.5.5");
            web2.failHealth("6.4.3");
            assertThat(web2.served()).as("web2 fails only on 6.4.3").isEqualTo("6.5.5");

            // a release of 6.5.5 to web1 proves (the fault is for 6.4.3) ...
            web1.healHealth();
            web1.failHealth("6.5.5");
            ReleaseRecord failed =
                    ctx.flow.release(
                            "wordpress:wp-6.5-v2", null, ReleaseRecord.Kind.RELEASE, "it", "web1");
            // ... not while web1 answers 500 for it: it rolls itself back to 6.4.3, which proves
            assertThat(failed.status()).isEqualTo(ReleaseRecord.Status.ROLLED_BACK);
            assertThat(failed.running()).isEqualTo(v1);
            assertThat(web1.served()).isEqualTo("6.4.3");
            assertThat(web2.served()).as("web2 untouched").isEqualTo("6.5.5");

            web1.healHealth();
            assertThat(
                            ctx.flow
                                    .release(
                                            "wordpress:wp-6.5-v2",
                                            null,
                                            ReleaseRecord.Kind.RELEASE,
                                            "it",
                                            "web1")
                                    .status())
                    .isEqualTo(ReleaseRecord.Status.RELEASED);
            assertThat(web1.served()).isEqualTo("6.5.5");
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("the local site of web1 did not exist", "the local site of web2")
                .contains("prove", "rollback");
    }

    private static Host host(LocalEnvironment local, String name) {
        return local.hosts().apps().stream()
                .filter(h -> h.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> containerNames(LocalEnvironment local) {
        var podman =
                dev.quartermaster.testkit.LocalPodman.configure(
                        local.stateDir().resolve("podman"),
                        List.of("127.0.0.1:" + local.registry().port()));
        return podman.run(List.of("podman", "ps", "--format", "{{.Names}}"), null, Map.of())
                .output()
                .lines()
                .toList();
    }

    private static int status(String url) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(3))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
