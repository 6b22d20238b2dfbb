package dev.quartermaster.release;

import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.Net;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalBackends;
import dev.quartermaster.testutils.LocalRegistries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * infra/ssm/release.sh on real containers (podman, runc, podman-compose): a compose project serving
 * a version file from a volume, switched between images pushed to the local registry.
 */
class ReleaseScriptIT {
    private static LocalRegistry registry;
    private static LocalPodman podman;
    private static String repo;
    private static String v1;
    private static String v2;
    private static String silent;

    @TempDir Path project;
    private int port;

    @BeforeAll
    static void images(@TempDir Path tmp) {
        registry = LocalRegistries.shared();
        podman =
                LocalPodman.configure(
                        tmp.resolve("podman"), List.of("127.0.0.1:" + registry.port()));
        repo = "app-" + UUID.randomUUID().toString().substring(0, 8);
        OciImages.Pusher pusher = new OciImages.Pusher(registry.url());
        v1 = pusher.push(repo, "v1", LocalPodman.webImage("1.0", true, repo));
        v2 = pusher.push(repo, "v2", LocalPodman.webImage("2.0", true, repo));
        silent = pusher.push(repo, "v3", LocalPodman.webImage("3.0", false, repo));
    }

    @BeforeEach
    void startOnV1() throws Exception {
        port = Net.freePort();
        compose("");
        var up = podman.run(List.of("podman-compose", "up", "-d"), project, Map.of());
        assertThat(up.exitCode()).as(up.output()).isZero();
        awaitServed("1.0");
    }

    private void compose(String volumes) throws Exception {
        Files.writeString(
                project.resolve("docker-compose.yml"),
                "services:\n  app:\n    image: "
                        + image(v1)
                        + "\n"
                        + "    ports: [\"127.0.0.1:"
                        + port
                        + ":8080\"]\n"
                        + volumes);
    }

    @AfterEach
    void down() {
        podman.removeProject(project);
    }

    private static String image(String digest) {
        return "127.0.0.1:" + registry.port() + "/" + repo + "@" + digest;
    }

    private LocalPodman.Result release(String digest, String version, Map<String, String> more) {
        Map<String, String> env = new HashMap<>();
        env.put("QM_PROJECT_DIR", project.toString());
        env.put("QM_SERVICE", "app");
        env.put("QM_IMAGE_REPO", "127.0.0.1:" + registry.port() + "/" + repo);
        env.put("QM_DIGEST", digest);
        env.put("QM_EXPECTED_VERSION", version);
        env.put("QM_HEALTH_URL", "http://127.0.0.1:" + port + "/version.txt");
        env.put("QM_HEALTH_TIMEOUT", "8");
        env.put("QM_VERSION_FILE", "/www/version.txt");
        env.put("QM_VERSION_REGEX", "version=([0-9A-Za-z.+-]+)");
        env.put("QM_CONTAINER_CLI", "podman");
        env.put("QM_COMPOSE", "podman-compose");
        env.put("QM_REGISTRY_LOGIN", "none");
        env.put("QM_LOCK_FILE", project.resolve("release.lock").toString());
        env.putAll(more);
        return podman.run(List.of("bash", script().toString()), null, env);
    }

    static Path script() {
        return LocalBackends.repoRoot().resolve("infra/ssm/release.sh");
    }

    private String served() {
        try {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + port
                                                                    + "/version.txt"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200
                    ? r.body().trim().replace("version=", "")
                    : "HTTP " + r.statusCode();
        } catch (Exception e) {
            return "no answer";
        }
    }

    private void awaitServed(String version) throws InterruptedException {
        for (int i = 0; i < 40 && !served().equals(version); i++) {
            Thread.sleep(250);
        }
        assertThat(served()).isEqualTo(version);
    }

    private static String result(LocalPodman.Result r) {
        return r.output()
                .lines()
                .filter(l -> l.startsWith("QM-RELEASE "))
                .findFirst()
                .orElse("(no QM-RELEASE line)\n" + r.output());
    }

    @Test
    void release_switchesTheServedVersion_pinsTheDigest_andReportsEachStep() throws Exception {
        var r = release(v2, "2.0", Map.of());

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(result(r))
                .contains(
                        "\"result\":\"RELEASED\"",
                        "\"from\":\"" + v1 + "\"",
                        "\"running\":\"" + v2 + "\"",
                        "\"version\":\"2.0\"");
        assertThat(r.output()).contains("QM-STEP pull ok", "QM-STEP switch ok", "QM-STEP prove ok");
        assertThat(served()).isEqualTo("2.0");
        assertThat(Files.readString(project.resolve(".qm-release.yml")))
                .contains("image: " + image(v2))
                .doesNotContain(":v2");

        var check = release(v2, "2.0", Map.of("QM_MODE", "check"));
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output())
                .contains("QM-RUNNING {", "\"digest\":\"" + v2 + "\"", "\"pinned\":\"" + v2 + "\"");
    }

    @Test
    void imageThatNeverAnswers_rollsBackByItself_toThePreviousVersion() throws Exception {
        var r = release(silent, "3.0", Map.of());

        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        assertThat(result(r))
                .contains(
                        "\"result\":\"ROLLED_BACK\"",
                        "\"running\":\"" + v1 + "\"",
                        "did not answer");
        assertThat(r.output()).contains("QM-STEP prove failed", "QM-STEP rollback ok");
        assertThat(served()).isEqualTo("1.0");
        assertThat(Files.readString(project.resolve(".qm-release.yml"))).contains(image(v1));
    }

    @Test
    void aStaleVolume_isCaughtByTheVersionProof_andRolledBack() throws Exception {
        podman.removeProject(project);
        // a named volume over /www keeps the old files whatever the image holds: the trap -V avoids
        // for anonymous volumes
        compose("    volumes: [\"www:/www\"]\nvolumes:\n  www: {}\n");
        assertThat(podman.run(List.of("podman-compose", "up", "-d"), project, Map.of()).exitCode())
                .isZero();
        awaitServed("1.0");

        var r = release(v2, "2.0", Map.of());

        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        assertThat(result(r))
                .contains("\"result\":\"ROLLED_BACK\"", "holds version '1.0', not 2.0");
        podman.run(List.of("podman-compose", "down", "-v"), project, Map.of());
    }

    @Test
    void aSecondReleaseWhileOneRuns_isRefused_andChangesNothing() throws Exception {
        Process holder =
                new ProcessBuilder(
                                "flock", project.resolve("release.lock").toString(), "sleep", "60")
                        .start();
        try {
            Thread.sleep(300);
            var r = release(v2, "2.0", Map.of());

            assertThat(r.exitCode()).as(r.output()).isEqualTo(5);
            assertThat(result(r)).contains("\"result\":\"REFUSED\"", "another release is running");
            assertThat(served()).isEqualTo("1.0");
            assertThat(project.resolve(".qm-release.yml")).doesNotExist();
        } finally {
            holder.destroy();
        }
    }

    @Test
    void aDigestTheRegistryDoesNotHave_failsBeforeStoppingAnything() {
        var r = release("sha256:" + "0".repeat(64), "2.0", Map.of());

        assertThat(r.exitCode()).as(r.output()).isEqualTo(6);
        assertThat(result(r)).contains("\"result\":\"FAILED\"", "nothing was changed");
        assertThat(served()).isEqualTo("1.0");
    }

    @Test
    void aDigestTheHostHolds_isReleasedWithoutThePull_evenAfterTheRegistryDroppedIt()
            throws Exception {
        String v4 =
                new OciImages.Pusher(registry.url())
                        .push(repo, "v4", LocalPodman.webImage("4.0", true, repo));
        assertThat(result(release(v4, "4.0", Map.of()))).contains("\"result\":\"RELEASED\"");
        assertThat(result(release(v1, "1.0", Map.of()))).contains("\"result\":\"RELEASED\"");
        LocalRegistries.deleteManifest(
                registry, repo, v4); // as a lifecycle rule or a cleanup would

        var r = release(v4, "4.0", Map.of());

        assertThat(result(r)).contains("\"result\":\"RELEASED\"").contains("already on the host");
        awaitServed("4.0");
    }

    @Test
    void aVersionRegexCannotEndTheSedCommand_norRunAnything() throws Exception {
        // with '/' as sed's delimiter this was s/.*.*/touch M #/e;#.*/\1/p: the e flag ran "touch
        // M" in the script's directory
        String name = "qm-pwned-" + UUID.randomUUID();
        Path marker = Path.of(name).toAbsolutePath();
        var r = release(v2, "2.0", Map.of("QM_VERSION_REGEX", ".*/touch " + name + " #/e;#"));
        boolean ran = Files.deleteIfExists(marker);

        assertThat(ran).as("the regex ran a command on the host").isFalse();
        // the regex matches nothing: neither version can be proven, and the host is back on the
        // previous digest
        assertThat(result(r))
                .contains("\"result\":\"ROLLBACK_FAILED\"")
                .contains("\"running\":\"" + v1 + "\"");
        assertThat(r.output()).contains("holds version 'none'");
        awaitServed("1.0");
    }

    /** The QM-STEP line of one step, as release.sh printed it. */
    private static String stepLine(LocalPodman.Result r, String step) {
        return r.output()
                .lines()
                .filter(l -> l.startsWith("QM-STEP " + step + " "))
                .findFirst()
                .orElse("(no " + step + " step)\n" + r.output());
    }

    private static com.fasterxml.jackson.databind.JsonNode report(LocalPodman.Result r)
            throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(result(r).substring("QM-RELEASE ".length()));
    }

    @Test
    void hooks_runInTheOldThenTheNewContainer_withTheReleaseVariables() throws Exception {
        var r =
                release(
                        v2,
                        "2.0",
                        Map.of(
                                "QM_PREVIOUS_VERSION", "1.0",
                                "QM_HOST_NAME", "web1",
                                "QM_HOOK_BEFORE_SWITCH", "/bin/cat /www/version.txt",
                                "QM_HOOK_AFTER_SWITCH", "/bin/busybox env"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(result(r)).contains("\"result\":\"RELEASED\"");
        // beforeSwitch ran in the running container (1.0), after the pull and before the switch
        assertThat(stepLine(r, "before-switch")).contains(" ok ", "exit 0: version=1.0");
        assertThat(r.output().indexOf("QM-STEP pull "))
                .isLessThan(r.output().indexOf("QM-STEP before-switch "));
        assertThat(r.output().indexOf("QM-STEP before-switch "))
                .isLessThan(r.output().indexOf("QM-STEP switch "));
        // afterSwitch ran in the new, proven container, with the release's variables
        assertThat(r.output().indexOf("QM-STEP prove ok"))
                .isLessThan(r.output().indexOf("QM-STEP after-switch "));
        assertThat(stepLine(r, "after-switch"))
                .contains(
                        " ok ",
                        "QM_DIGEST=" + v2,
                        "QM_VERSION=2.0",
                        "QM_PREVIOUS_DIGEST=" + v1,
                        "QM_PREVIOUS_VERSION=1.0",
                        "QM_HOST_NAME=web1",
                        "QM_HOOK=afterSwitch");
        // the record's steps carry the hooks' output too
        assertThat(report(r).path("steps").toString())
                .contains("before-switch", "version=1.0", "after-switch", "QM_HOST_NAME=web1");
        assertThat(served()).isEqualTo("2.0");
    }

    @Test
    void aFailingBeforeSwitch_leavesTheHostUntouched_andSaysWhy() throws Exception {
        var r = release(v2, "2.0", Map.of("QM_HOOK_BEFORE_SWITCH", "/bin/cat /www/not-ready"));

        assertThat(r.exitCode()).as(r.output()).isEqualTo(6);
        assertThat(result(r))
                .contains(
                        "\"result\":\"FAILED\"",
                        "\"running\":\"" + v1 + "\"",
                        "beforeSwitch hook failed (exit 1: ",
                        "/www/not-ready",
                        "nothing was switched");
        assertThat(stepLine(r, "before-switch")).contains(" failed ", "exit 1", "/www/not-ready");
        assertThat(r.output()).doesNotContain("QM-STEP switch ");
        assertThat(project.resolve(".qm-release.yml")).doesNotExist();
        assertThat(served()).isEqualTo("1.0");
    }

    @Test
    void aHangingHook_isStoppedAtItsTimeout() {
        var r =
                release(
                        v2,
                        "2.0",
                        Map.of(
                                "QM_HOOK_TIMEOUT", "2",
                                "QM_HOOK_BEFORE_SWITCH", "/bin/busybox sleep 60"));

        assertThat(r.exitCode()).as(r.output()).isEqualTo(6);
        assertThat(stepLine(r, "before-switch")).contains(" failed ", "timed out after 2s");
        assertThat(result(r)).contains("beforeSwitch hook failed (timed out after 2s");
        assertThat(served()).isEqualTo("1.0");
    }

    @Test
    void aFailingAfterSwitch_isAFailedProof_andRollsBack_afterBeforeRollback() throws Exception {
        var r =
                release(
                        v2,
                        "2.0",
                        Map.of(
                                "QM_PREVIOUS_VERSION", "1.0",
                                "QM_HOOK_AFTER_SWITCH", "/bin/cat /www/migration-failed",
                                "QM_HOOK_BEFORE_ROLLBACK", "/bin/cat /www/version.txt"));

        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        assertThat(result(r))
                .contains(
                        "\"result\":\"ROLLED_BACK\"",
                        "\"running\":\"" + v1 + "\"",
                        "afterSwitch hook failed (exit 1: ",
                        "migration-failed");
        assertThat(stepLine(r, "after-switch")).contains(" failed ", "exit 1", "migration-failed");
        // beforeRollback ran in the container that was running then: the new one
        assertThat(stepLine(r, "before-rollback")).contains(" ok ", "version=2.0");
        assertThat(r.output().indexOf("QM-STEP before-rollback "))
                .isLessThan(r.output().indexOf("QM-STEP rollback "));
        assertThat(stepLine(r, "rollback")).contains(" ok ");
        assertThat(served()).isEqualTo("1.0");
        assertThat(Files.readString(project.resolve(".qm-release.yml"))).contains(image(v1));
    }

    @Test
    void aFailingBeforeRollback_isRecorded_andTheRollbackGoesOn() {
        var r =
                release(
                        silent,
                        "3.0",
                        Map.of(
                                "QM_PREVIOUS_VERSION", "1.0",
                                "QM_HOOK_AFTER_SWITCH", "/bin/busybox true",
                                "QM_HOOK_BEFORE_ROLLBACK", "/bin/cat /www/nothing-here"));

        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        // the proof failed: afterSwitch never ran
        assertThat(r.output()).doesNotContain("QM-STEP after-switch ");
        assertThat(stepLine(r, "before-rollback"))
                .contains(" failed ", "nothing-here", "the rollback goes on");
        assertThat(stepLine(r, "rollback")).contains(" ok ");
        assertThat(result(r)).contains("\"result\":\"ROLLED_BACK\"");
        assertThat(served()).isEqualTo("1.0");
    }

    @Test
    void aHooksOutput_isBoundedToItsLast2000Characters_onOnePrintableLine() throws Exception {
        var r = release(v2, "2.0", Map.of("QM_HOOK_AFTER_SWITCH", "/bin/busybox seq 1 100000"));

        assertThat(r.exitCode()).as(r.output()).isZero();
        String line = stepLine(r, "after-switch");
        String detail = line.split(" ", 5)[4];
        assertThat(detail).startsWith("exit 0: ").endsWith("99999 100000");
        assertThat(detail.length()).isBetween(2000, 2010);
        assertThat(detail).matches("[\\x20-\\x7E]+").doesNotContain("\"");
        // the report stays JSON and the whole output far under the 24,000 characters SSM keeps
        String recorded = "";
        for (var st : report(r).path("steps")) {
            if (st.path("step").asText().equals("after-switch")) {
                recorded = st.path("detail").asText();
            }
        }
        assertThat(recorded).isEqualTo(detail);
        assertThat(
                        r.output()
                                .lines()
                                .filter(l -> l.startsWith("QM-"))
                                .mapToInt(String::length)
                                .sum())
                .isLessThan(8000);
    }

    @Test
    void aHookWithShellText_isRefusedBeforeAnythingRuns() {
        String name = "qm-hooked-" + UUID.randomUUID();
        var r =
                release(
                        v2,
                        "2.0",
                        Map.of("QM_HOOK_BEFORE_SWITCH", "/bin/sh -c touch;touch /tmp/" + name));

        assertThat(r.exitCode()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("the beforeSwitch hook must be words");
        assertThat(r.output()).doesNotContain("QM-STEP");
        assertThat(served()).isEqualTo("1.0");
    }

    @Test
    void badInput_isRefusedWithItsReason() {
        var r = release("latest", "2.0", Map.of());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("digest must be sha256");
    }
}
