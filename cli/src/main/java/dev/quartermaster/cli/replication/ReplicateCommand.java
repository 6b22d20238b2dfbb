package dev.quartermaster.cli.replication;

import dev.quartermaster.archive.RegistryImageLister;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalReplication;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.common.Text;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.replication.Destination;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Replication by hand: what ECR's replication never copies (images pushed before it was
 * configured).
 */
@Command(
        name = "replicate",
        description =
                "Replication by hand (ECR replicates only what is pushed after it is configured)",
        subcommands = {ReplicateCommand.Backfill.class})
public final class ReplicateCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("qm replicate: name a subcommand (backfill)");
    }

    @Command(
            name = "backfill",
            description = {
                "Copy every image of the managed repositories the destination lacks, by digest, and record it",
                "  qm replicate backfill --to eu-central-1            the local stand-in of that destination (a second local registry)",
                "  qm replicate backfill --to eu-west-1/444455556666 --aws   starts the deployed backfill state machine for that destination",
                "Locally the backfill's state machine runs here, batch after batch (a stand-in for Step Functions: docs/upkeep.md)."
            })
    public static final class Backfill implements Callable<Integer> {
        @Option(
                names = "--to",
                required = true,
                paramLabel = "REGION[/ACCOUNT]",
                description = "the destination (the account defaults to the home one)")
        String to;

        @Mixin Target target = new Target();

        @Override
        public Integer call() {
            try (LocalEnvironment local = target.local()) {
                List<String> repositories = local.managedRepositories();
                if (target.aws) {
                    Map<String, String> env = target.awsSettings();
                    String homeRegistry = homeRegistry(env);
                    String homeAccount = homeRegistry.substring(0, homeRegistry.indexOf('.'));
                    Destination d = configured(to, homeAccount, local.destinations(homeAccount));
                    return start(env, homeAccount, d);
                }
                Destination d =
                        configured(
                                to, local.homeAccount(), local.destinations(local.homeAccount()));
                Platform p = LocalServices.platform(local, System.err);
                RegistryClient source =
                        new RegistryClient(local.registry().url(), RegistryAuth.anonymous());
                RegistryWriter target =
                        new RegistryWriter(
                                new LocalReplication(local).url(d), RegistryAuth.anonymous());
                return dev.quartermaster.cli.replication.Backfill.run(
                        new RegistryImageLister(source),
                        source,
                        target,
                        d,
                        repositories,
                        p,
                        System.out);
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("qm replicate backfill: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("qm replicate backfill: " + e);
                return 1;
            }
        }

        /**
         * Starts the deployed backfill's state machine for destination {@code d} (its input names
         * it) and prints the execution.
         */
        private int start(Map<String, String> env, String account, Destination d) {
            var clients = new dev.quartermaster.common.AwsClients(Settings.of(env));
            String region = clients.region().id();
            String partition = region.startsWith("cn-") ? "aws-cn" : "aws";
            String arn =
                    "arn:"
                            + partition
                            + ":states:"
                            + region
                            + ":"
                            + account
                            + ":stateMachine:"
                            + target.stackName()
                            + "-"
                            + dev.quartermaster.contract.Upkeep.REPLICATION_BACKFILL.jobName();
            String input =
                    new String(
                                    dev.quartermaster.cli.local.LocalInvoke.scheduledEvent(
                                            java.time.Instant.now()),
                                    java.nio.charset.StandardCharsets.UTF_8)
                            .replace(
                                    "\"account\":\"000000000000\"",
                                    "\"account\":\"" + account + "\"")
                            .replace("\"region\":\"us-east-1\"", "\"region\":\"" + region + "\"")
                            .replace(
                                    "\"detail\":{}",
                                    "\"detail\":{\"destination\":\"" + d.key() + "\"}");
            try (var sfn =
                    clients.configure(
                                    software.amazon.awssdk.services.sfn.SfnClient.builder(), "SFN")
                            .build()) {
                var started =
                        sfn.startExecution(
                                b ->
                                        b.stateMachineArn(arn)
                                                .name("qm-backfill-" + System.currentTimeMillis())
                                                .input(input));
                System.out.println(
                        "started "
                                + started.executionArn()
                                + " (the backfill to "
                                + d.key()
                                + ")\n  follow it: aws stepfunctions "
                                + "describe-execution --execution-arn "
                                + started.executionArn());
            }
            return 0;
        }

        /**
         * The destination {@code --to} names, if it is one of the configured ones: a copy anywhere
         * else would be recorded REPLICATED for a destination nothing watches (and ECR's
         * replication never fills).
         */
        static Destination configured(String to, String homeAccount, List<Destination> configured) {
            Destination d = Destination.parse(to, homeAccount);
            if (configured.isEmpty()) {
                throw new IllegalArgumentException(
                        "--to "
                                + to
                                + ": no replication destination is configured; add it to \"replication\" in"
                                + " cdk.json's context (e.g. [{\"region\":\""
                                + d.region()
                                + "\"}]) and deploy, or pass the same -c replication=... here");
            }
            if (!configured.contains(d)) {
                throw new IllegalArgumentException(
                        "--to "
                                + to
                                + " ("
                                + d.key()
                                + ") is not a configured replication destination; the configured ones are "
                                + configured.stream().map(Destination::key).toList()
                                + " (cdk.json's \"replication\", or -c replication=...)");
            }
            return d;
        }

        /**
         * The deployed registry ({@code ACCOUNT.dkr.ecr.REGION.amazonaws.com}), from the stack's
         * ReleaseImageUri output.
         */
        static String homeRegistry(Map<String, String> env) {
            String imageUri = env.get("RELEASE_IMAGE_URI");
            int slash = imageUri == null ? -1 : imageUri.indexOf('/');
            String registry = slash < 0 ? "" : imageUri.substring(0, slash);
            if (!registry.matches("[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?")) {
                throw new IllegalStateException(
                        "the deployed registry is unknown: RELEASE_IMAGE_URI is "
                                + (imageUri == null
                                        ? "not set"
                                        : "'"
                                                + Text.oneLine(imageUri, 120)
                                                + "', not ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY")
                                + "; deploy again with `npx cdk deploy --outputs-file "
                                + Target.OUTPUTS
                                + "` (the stack writes it as an output),"
                                + " or set RELEASE_IMAGE_URI=ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY");
            }
            return registry;
        }
    }
}
