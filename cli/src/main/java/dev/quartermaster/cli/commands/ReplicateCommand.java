package dev.quartermaster.cli.commands;

import dev.quartermaster.archive.EcrImageLister;
import dev.quartermaster.archive.ImageLister;
import dev.quartermaster.archive.RegistryImageLister;
import dev.quartermaster.cli.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalReplication;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.registry.ImageCopier;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.registry.RegistryWriter;
import dev.quartermaster.replication.Destination;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Replication by hand: what ECR's replication never copies (images pushed before it was configured). */
@Command(name = "replicate", description = "Replication by hand (ECR replicates only what is pushed after it is configured)",
        subcommands = {ReplicateCommand.Backfill.class})
public final class ReplicateCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("qm replicate: name a subcommand (backfill)");
    }

    @Command(name = "backfill", description = {"Copy every image of the managed repositories the destination lacks, by digest, and record it",
            "  qm replicate backfill --to eu-central-1            the local stand-in of that destination (a second local registry)",
            "  qm replicate backfill --to eu-west-1/444455556666 --aws   the destination's ECR (credentials that may push there)"})
    public static final class Backfill implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "REGION[/ACCOUNT]", description = "the destination (the account defaults to the home one)")
        String to;

        @Option(names = "-c", description = "cdk.json context override, key=value, as cdk takes it (repositories, homeAccount)")
        List<String> context = List.of();

        @Mixin
        Target target = new Target();

        @Override
        public Integer call() {
            try (LocalEnvironment local = LocalEnvironment.persistent().context(context)) {
                List<String> repositories = local.managedRepositories();
                if (target.aws) {
                    Map<String, String> env = target.awsSettings();
                    Platform home = new Platform(Settings.of(env));
                    String imageUri = env.get("RELEASE_IMAGE_URI");
                    String homeRegistry = imageUri.substring(0, imageUri.indexOf('/'));
                    String homeAccount = homeRegistry.substring(0, homeRegistry.indexOf('.'));
                    Destination d = Destination.parse(to, homeAccount);
                    Map<String, String> there = new HashMap<>(env);
                    there.put("AWS_REGION", d.region());
                    RegistryAuth destAuth = RegistryRoot.ecrAuth(new Platform(Settings.of(there)));
                    RegistryClient source = new RegistryClient("https://" + homeRegistry, RegistryRoot.ecrAuth(home));
                    RegistryWriter target = new RegistryWriter("https://" + d.account() + ".dkr.ecr." + d.region() + ".amazonaws.com", destAuth);
                    return dev.quartermaster.cli.release.Backfill.run(new EcrImageLister(Platform.memo(() -> RegistryRoot.ecr(home))), source, target, d, repositories, home, System.out);
                }
                Destination d = Destination.parse(to, local.homeAccount());
                Platform p = LocalServices.platform(local, System.err);
                RegistryClient source = new RegistryClient(local.registry().url(), RegistryAuth.anonymous());
                RegistryWriter target = new RegistryWriter(new LocalReplication(local).url(d), RegistryAuth.anonymous());
                return dev.quartermaster.cli.release.Backfill.run(new RegistryImageLister(source), source, target, d, repositories, p, System.out);
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("qm replicate backfill: " + e.getMessage());
                return 2;
            }
        }
    }
}
