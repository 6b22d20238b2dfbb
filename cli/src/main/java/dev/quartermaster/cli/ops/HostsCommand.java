package dev.quartermaster.cli.ops;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.contract.Host;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.host.HostRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The hosts: what they can reach. */
@Command(
        name = "hosts",
        description = "The hosts: check what each can reach (bin/qm hosts check).",
        subcommands = {HostsCommand.Check.class})
public final class HostsCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: bin/qm hosts check [--aws] [--digest sha256:...]");
    }

    /** Runs the read-only hosts check on every host and prints a line per host and check. */
    @Command(
            name = "check",
            description = {
                "Run the read-only hosts check on every host: resolve each AWS endpoint the host uses (a private",
                "address expected when privateHosts is set), log in to ECR, read one manifest, read the backup",
                "bucket's backups/. Prints a line per host and check; exits 1 when any check failed.",
                "Locally it runs on each app host's own local site, a database-only host on the shared local",
                "registry and S3 (no compose project); they resolve to loopback addresses."
            })
    public static final class Check implements Callable<Integer> {
        @Option(
                names = "--digest",
                description =
                        "the manifest to read (default: the digest each host's compose project pins)")
        String digest;

        @Option(
                names = "--wait",
                defaultValue = "120",
                description = "seconds to wait for the hosts' results (default: ${DEFAULT-VALUE})")
        int waitSeconds;

        @Mixin Target target = new Target();

        @Override
        public Integer call() throws Exception {
            if (digest != null && !digest.matches("sha256:[a-f0-9]{64}")) {
                System.err.println("qm hosts check: --digest must be sha256:<64 hex>");
                return 2;
            }
            List<HostsChecks.Line> lines;
            if (target.aws) {
                Map<String, String> settings = target.awsSettings();
                String document = settings.get("HOSTS_CHECK_DOCUMENT");
                if (document == null) {
                    System.err.println(
                            "qm hosts check: the deployed stack has no hosts check document: redeploy with this"
                                    + " version (npx cdk deploy --outputs-file "
                                    + Target.OUTPUTS
                                    + ")");
                    return 2;
                }
                List<Host> hosts =
                        Host.parseList(
                                settings.getOrDefault(
                                        Setting.HOSTS.name(), Setting.HOSTS.defaultValue()));
                lines =
                        HostsChecks.run(
                                HostRoot.ssmCommands(target.awsPlatform()),
                                document,
                                hosts,
                                digest,
                                Duration.ofSeconds(waitSeconds),
                                d -> Thread.sleep(d.toMillis()));
            } else {
                try (LocalEnvironment local = target.local()) {
                    lines = local(local, digest);
                }
            }
            HostsChecks.print(lines, System.out);
            return lines.stream().anyMatch(HostsChecks.Line::failed) ? 1 : 0;
        }

        /**
         * On the local site, through the local agent, on each configured host as SSM's tag targets
         * would: an app host's check runs against its own site (its compose project, so the digest
         * it pins), a database-only host's against the same registry and S3 with no compose project
         * (nothing pinned there: its manifest check is skipped unless --digest names one). The
         * endpoints are the local registry's and S3's (private addresses expected only if
         * privateHosts says so).
         */
        static List<HostsChecks.Line> local(LocalEnvironment local, String digest)
                throws InterruptedException {
            LocalServices ls = LocalServices.create(local, null, null, true);
            Map<String, String> shared = new HashMap<>();
            String registry = local.site().scriptEnv().get("QM_IMAGE_REPO").split("/", 2)[0];
            shared.put("QM_BACKUP_BUCKET", LocalEnvironment.BUCKET);
            shared.put(
                    "QM_ENDPOINTS",
                    registry.replaceFirst(":[0-9]+$", "")
                            + " "
                            + URI.create(local.s3().endpoint()).getHost());
            shared.put("QM_GATEWAY_ENDPOINTS", "");
            shared.put(
                    "QM_EXPECT_PRIVATE",
                    Boolean.toString(local.configuration().privateHosts().enabled()));
            List<Host> hosts = local.hosts().hosts();
            return HostsChecks.run(
                    ls.agent.withSites(hosts, host -> siteOf(local, host, shared)),
                    HostDocument.HOSTS_CHECK.localName(),
                    hosts,
                    digest,
                    Duration.ofSeconds(10),
                    d -> Thread.sleep(d.toMillis()));
        }

        /** What the check sees on {@code host}: its own site if it runs the app, else none. */
        static Map<String, String> siteOf(
                LocalEnvironment local, String host, Map<String, String> shared) {
            boolean app = local.hosts().apps().stream().anyMatch(h -> h.name().equals(host));
            Map<String, String> env =
                    new HashMap<>((app ? local.site(host) : local.site()).scriptEnv());
            if (!app) {
                env.put("QM_PROJECT_DIR", ""); // a database host has no compose project
            }
            env.putAll(shared);
            return env;
        }
    }
}
