package dev.quartermaster.cli.lifecycle;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * bin/qm lifecycle preview: what the repositories' lifecycle rules would expire, and which of those
 * lines would hurt.
 */
@Command(
        name = "lifecycle",
        subcommands = {LifecycleCommand.Preview.class},
        description =
                "The ECR lifecycle rules (cdk.json's lifecycleRules, protection first): preview what they would expire.")
public final class LifecycleCommand {
    private LifecycleCommand() {}

    @Command(
            name = "preview",
            description = {
                "What the lifecycle rules would expire and by which rule, evaluated with ECR's documented semantics",
                "on the ledger's images; each line that would hurt is flagged (RUNNING, ROLLBACK_TARGET, VERIFIED_NEWER_THAN_RELEASE,",
                "NOT_ARCHIVED). Exit 0: nothing that hurts; 1: some line hurts."
            })
    public static final class Preview implements Callable<Integer> {
        @Parameters(
                index = "0",
                arity = "0..1",
                description = "repository (default: the release repository)")
        String repository;

        @Option(
                names = "--apply",
                description = {
                    "locally: apply the preview's transitions as ECR does, each image's UPDATE_STORAGE_CLASS",
                    "event (target-storage-class ARCHIVE) sent to image-action; with --aws ECR applies its own policy"
                })
        boolean apply;

        @Mixin Target target = new Target();

        @Override
        public Integer call() throws Exception {
            LifecycleRules rules = target.configuration().lifecycle().rules();
            if (target.aws) {
                if (apply) {
                    System.err.println(
                            "--apply is for the local stand-in: in AWS, ECR applies the deployed policy within 24 hours");
                    return 2;
                }
                Platform p = target.awsPlatform();
                return show(rules, p, ReleaseRoot.service(p), System.out);
            }
            try (LocalEnvironment local = target.local()) {
                LocalServices ls = LocalServices.create(local, null, System.err, false);
                Platform p = ls.platform();
                ReleaseService releases =
                        dev.quartermaster.cli.release.ReleaseContext.reader(local, p);
                LifecycleView.Result r =
                        LifecycleView.evaluate(rules, p, releases, repository, false);
                int rc = LifecycleView.print(r, target.json(), System.out);
                if (apply) {
                    var imageAction =
                            dev.quartermaster.cli.local.FunctionCatalog.create(
                                    "image-action", ls.wiring);
                    int taken =
                            dev.quartermaster.cli.local.LocalLifecycle.applyTransitions(
                                    r.repository(),
                                    r.lines(),
                                    LedgerRoot.store(p).images(r.repository()),
                                    event -> {
                                        try {
                                            return dev.quartermaster.cli.local.LocalInvoke.call(
                                                    imageAction, "image-action", event, System.err);
                                        } catch (Exception e) {
                                            throw new IllegalStateException(
                                                    "image-action failed on the archival event: "
                                                            + e.getMessage(),
                                                    e);
                                        }
                                    },
                                    Instant.now(),
                                    System.out);
                    long wanted =
                            r.lines().stream().filter(l -> l.action().equals("TRANSITION")).count();
                    System.out.println(
                            "applied "
                                    + taken
                                    + " of "
                                    + wanted
                                    + " transitions (expirations are not applied locally)");
                    return taken < wanted ? 1 : rc;
                }
                return rc;
            }
        }

        int show(LifecycleRules rules, Platform p, ReleaseService releases, PrintStream out)
                throws Exception {
            return LifecycleView.print(
                    LifecycleView.evaluate(rules, p, releases, repository, target.aws),
                    target.json(),
                    out);
        }
    }
}
