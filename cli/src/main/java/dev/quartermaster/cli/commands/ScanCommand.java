package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.verify.ScanService;
import dev.quartermaster.verify.VerifyRoot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.concurrent.Callable;

/** bin/qm scan accept: the operator's override of a failed scan gate, recorded on the digest. */
@Command(
        name = "scan",
        description = "The scan gate's overrides.",
        subcommands = ScanCommand.Accept.class)
public final class ScanCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "accept",
            description = {
                "Lift a FAILED_SCAN off a digest: recorded on the digest with who (your AWS identity with --aws,"
                        + " your user name locally), why and the counts accepted, and alerted (SCAN_ACCEPTED). A finding beyond those counts fails it again.",
                "Exit: 0 accepted, 2 usage, 5 refused (unknown digest, not FAILED_SCAN)."
            })
    public static final class Accept implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", paramLabel = "REPO@sha256:<hex>")
        String reference;

        @Option(
                names = "--reason",
                required = true,
                description = "why the findings are accepted (recorded and alerted)")
        String reason;

        @Override
        public Integer call() {
            int at = reference.indexOf('@');
            String repository;
            String digest;
            try {
                repository = Validation.repository(at > 0 ? reference.substring(0, at) : "");
                digest = Validation.digest(reference.substring(at + 1));
            } catch (MalformedEventException e) {
                System.err.println(
                        "qm scan accept: '"
                                + reference
                                + "' is not REPO@sha256:<64 hex> ("
                                + e.getMessage()
                                + ")");
                return 2;
            }
            if (reason == null || reason.isBlank()) {
                System.err.println(
                        "qm scan accept: --reason TEXT is required (recorded with the acceptance)");
                return 2;
            }
            if (target.aws) {
                return accept(target.awsPlatform(), repository, digest);
            }
            try (LocalEnvironment local = target.local()) {
                return accept(LocalServices.platform(local, System.err), repository, digest);
            }
        }

        private int accept(Platform p, String repository, String digest) {
            ScanService scans = VerifyRoot.scans(p);
            try {
                ImageRecord.ScanAcceptance a =
                        scans.accept(
                                repository,
                                digest,
                                ReleaseContext.who(target, p),
                                reason,
                                Instant.now());
                System.out.println(
                        "accepted: "
                                + repository
                                + "@"
                                + digest
                                + " "
                                + a.counts()
                                + " by "
                                + a.by()
                                + " at "
                                + a.at()
                                + ": "
                                + a.reason()
                                + " (bin/qm ledger "
                                + repository
                                + "@"
                                + digest
                                + ")");
                return 0;
            } catch (ScanService.Refused | dev.quartermaster.release.ReleaseService.Refused e) {
                System.err.println("qm scan accept: " + e.getMessage());
                return 5;
            }
        }
    }
}
