package dev.quartermaster.host;

import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.HostParam;
import dev.quartermaster.testkit.HostScripts;
import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.Net;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testutils.LocalBackends;
import dev.quartermaster.testutils.LocalRegistries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * infra/ssm/hosts-check.sh for real: the environment its document exports ({@link
 * HostDocument#HOSTS_CHECK}), a real OCI registry holding the app's image, S3Mock holding a backup,
 * the AWS CLI; what it reports when all is there, when an address is not the private one expected,
 * and when each path is broken.
 */
class HostsCheckScriptIT {
    private static LocalRegistry registry;
    private static String repo;
    private static String digest;
    private static final String KEY =
            "backups/wordpress/hosts-check-" + UUID.randomUUID() + ".sql.zst";

    @TempDir Path project;

    @BeforeAll
    static void imageAndBackup() {
        registry = LocalRegistries.shared();
        repo = "app-" + UUID.randomUUID().toString().substring(0, 8);
        digest =
                new OciImages.Pusher(registry.url())
                        .push(repo, "v1", LocalPodman.webImage("1.0", true, repo));
        try (var s3 = LocalBackends.s3().client()) {
            s3.putObject(
                    b -> b.bucket(LocalBackends.BUCKET).key(KEY),
                    RequestBody.fromBytes(new byte[1234]));
        }
    }

    private Map<String, String> site(boolean expectPrivate) {
        Map<String, String> site = new HashMap<>();
        site.put("QM_IMAGE_REPO", "127.0.0.1:" + registry.port() + "/" + repo);
        site.put("QM_PROJECT_DIR", project.toString());
        site.put("QM_BACKUP_BUCKET", LocalBackends.BUCKET);
        site.put(
                "QM_ENDPOINTS", "localhost " + URI.create(LocalBackends.s3().endpoint()).getHost());
        site.put("QM_GATEWAY_ENDPOINTS", "");
        site.put("QM_EXPECT_PRIVATE", Boolean.toString(expectPrivate));
        site.put("QM_REGISTRY_LOGIN", "none");
        return site;
    }

    private HostScripts.Run check(Map<String, String> site, String digestParam) {
        return check(site, digestParam, LocalBackends.scripts());
    }

    private HostScripts.Run check(
            Map<String, String> site, String digestParam, HostScripts scripts) {
        HostDocument.Call call = HostDocument.HOSTS_CHECK.call();
        if (digestParam != null) {
            call.with(HostParam.DIGEST, digestParam);
        }
        Map<String, String> env =
                new HashMap<>(HostDocument.HOSTS_CHECK.environment(call.parameters()));
        env.putAll(site);
        return scripts.run(HostDocument.HOSTS_CHECK.script(), env);
    }

    private static List<String> lines(HostScripts.Run run, String prefix) {
        return run.output().lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void everythingReachable_everyCheckPasses_readingThePinnedManifestAndABackup()
            throws Exception {
        Files.writeString(
                project.resolve(".qm-release.yml"),
                "services:\n  app:\n    image: 127.0.0.1:"
                        + registry.port()
                        + "/"
                        + repo
                        + "@"
                        + digest
                        + "\n");
        HostScripts.Run run = check(site(false), null);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(lines(run, "QM-CHECK dns:localhost ok"))
                .singleElement()
                .asString()
                .contains("127.0.0.1 (loopback)");
        assertThat(lines(run, "QM-CHECK ecr-login skipped")).hasSize(1);
        assertThat(lines(run, "QM-CHECK manifest ok"))
                .singleElement()
                .asString()
                .contains(digest)
                .endsWith(": 200");
        assertThat(lines(run, "QM-CHECK backup-bucket ok"))
                .singleElement()
                .asString()
                .contains("HEAD s3://" + LocalBackends.BUCKET + "/backups/");
        assertThat(lines(run, "QM-HOSTS-CHECK {\"ok\":4,\"failed\":0,\"skipped\":1,"))
                .as(run.output())
                .hasSize(1);
    }

    @Test
    void privateAddressesExpected_aLoopbackOneFailsHonestly() {
        HostScripts.Run run = check(site(true), digest);
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(lines(run, "QM-CHECK dns:localhost failed"))
                .singleElement()
                .asString()
                .contains("a private address was expected");
        // the other checks still ran and passed
        assertThat(lines(run, "QM-CHECK manifest ok")).hasSize(1);
        assertThat(lines(run, "QM-CHECK backup-bucket ok")).hasSize(1);
    }

    @Test
    void noPinAndNoDigest_theManifestIsSkipped_notInvented() {
        HostScripts.Run run = check(site(false), null);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(lines(run, "QM-CHECK manifest skipped")).hasSize(1);
    }

    @Test
    void brokenPaths_eachFailItsOwnCheck_withinTheirTimeLimits() {
        Map<String, String> site = site(false);
        site.put("QM_ENDPOINTS", "no-such-endpoint.invalid");
        site.put(
                "QM_BACKUP_BUCKET",
                "qm-no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8));
        long start = System.nanoTime();
        HostScripts.Run missing = check(site, "sha256:" + "0".repeat(64));
        assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
        assertThat(lines(missing, "QM-CHECK dns:no-such-endpoint.invalid failed does not resolve"))
                .hasSize(1);
        assertThat(lines(missing, "QM-CHECK manifest failed"))
                .singleElement()
                .asString()
                .contains("HTTP 404");
        assertThat(lines(missing, "QM-CHECK backup-bucket failed")).hasSize(1);

        // a registry nobody answers at: a failed check, not a hang
        site.put("QM_IMAGE_REPO", "127.0.0.1:" + Net.freePort() + "/" + repo);
        HostScripts.Run silent = check(site, digest);
        assertThat(lines(silent, "QM-CHECK manifest failed"))
                .singleElement()
                .asString()
                .contains("no answer");
        assertThat(System.nanoTime() - start).isLessThan(120_000_000_000L);
    }

    @Test
    void ecrLoginFails_theLoginAndTheManifestFail_theBucketStillChecked() throws Exception {
        // an AWS CLI whose ecr get-login-password fails (no ecr.api endpoint, or no grant); S3 as
        // usual
        Path shims = Files.createDirectories(project.resolve("shims"));
        Path aws = shims.resolve("aws");
        Process which = new ProcessBuilder("bash", "-c", "command -v aws").start();
        String real = new String(which.getInputStream().readAllBytes()).trim();
        assertThat(real).isNotEmpty();
        Files.writeString(
                aws,
                "#!/bin/bash\nif [ \"$1\" = ecr ]; then echo 'AccessDenied' >&2; exit 255; fi\nexec "
                        + real
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(aws, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> site = site(false);
        site.put("QM_REGISTRY_LOGIN", "ecr");
        HostScripts scripts =
                LocalBackends.scripts()
                        .withEnvironment(Map.of("PATH", shims + ":" + System.getenv("PATH")));
        HostScripts.Run run = check(site, digest, scripts);
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(lines(run, "QM-CHECK ecr-login failed")).hasSize(1);
        assertThat(lines(run, "QM-CHECK manifest failed"))
                .singleElement()
                .asString()
                .contains("no registry token");
        assertThat(lines(run, "QM-CHECK backup-bucket ok")).hasSize(1);
    }

    @Test
    void anEndpointNameThatIsNotADnsName_isRefusedBeforeAnythingRuns() {
        Map<String, String> site = site(false);
        site.put("QM_ENDPOINTS", "localhost;touch /tmp/x");
        HostScripts.Run run = check(site, null);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(lines(run, "QM-CHECK")).isEmpty();
    }
}
