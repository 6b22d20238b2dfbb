package dev.quartermaster.cli.commands;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.cli.local.LocalServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Starts a backup now, as the schedule would. */
@Command(
        name = "backup-now",
        description =
                "Start a backup now (the same path as the schedule: dump document, then verification).")
public final class BackupNowCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        if (target.aws) {
            var started =
                    dev.quartermaster.backup.BackupRoot.service(target.awsPlatform())
                            .start("manual-" + UUID.randomUUID(), now)
                            .orElseThrow();
            System.out.println(
                    "backup started: SSM command "
                            + started.commandId()
                            + " writing s3://.../"
                            + started.key());
            System.out.println(
                    "it is verified when SSM reports the command's end; watch with: bin/qm backups --aws");
            return 0;
        }
        try (LocalEnvironment local = target.local()) {
            LocalServices ls = LocalServices.create(local, null, System.err, true);
            local.ensureDatabase(System.err);
            int rc =
                    LocalInvoke.run(
                            FunctionCatalog.create("backup-start", ls.wiring),
                            "backup-start",
                            LocalInvoke.scheduledEvent(now));
            return Math.max(rc, LocalInvoke.reportToStatusFunction(ls.agent, ls.wiring));
        }
    }
}
