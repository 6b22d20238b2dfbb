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
                "Locally it runs on the local site (its registry and S3 resolve to loopback addresses)."
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
         * On the local site, through the local agent: the document's site is the local one (its
         * registry and S3 as the endpoints, private addresses expected only if privateHosts says
         * so).
         */
        static List<HostsChecks.Line> local(LocalEnvironment local, String digest)
                throws InterruptedException {
            LocalServices ls = LocalServices.create(local, null, null, true);
            Map<String, String> site = new HashMap<>(local.site().scriptEnv());
            String registry = site.get("QM_IMAGE_REPO").split("/", 2)[0];
            site.put("QM_BACKUP_BUCKET", LocalEnvironment.BUCKET);
            site.put(
                    "QM_ENDPOINTS",
                    registry.replaceFirst(":[0-9]+$", "")
                            + " "
                            + URI.create(local.s3().endpoint()).getHost());
            site.put("QM_GATEWAY_ENDPOINTS", "");
            site.put(
                    "QM_EXPECT_PRIVATE",
                    Boolean.toString(local.configuration().privateHosts().enabled()));
            return HostsChecks.run(
                    ls.agent.withSite(site),
                    HostDocument.HOSTS_CHECK.localName(),
                    local.configuration().hosts().hosts(),
                    digest,
                    Duration.ofSeconds(10),
                    d -> Thread.sleep(d.toMillis()));
        }
    }
}
