package dev.quartermaster.cli;

import dev.quartermaster.cli.commands.*;
import dev.quartermaster.cli.local.*;
import dev.quartermaster.cli.release.*;
import dev.quartermaster.cli.bench.*;
import dev.quartermaster.cli.demo.*;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/qm: the project's command line. */
@Command(name = "qm", mixinStandardHelpOptions = true, version = "quartermaster 0.1.0",
        description = "Quartermaster: ECR image ledger, version verification, image archive, release switch and verified database backups.",
        subcommands = {DemoCommand.class, InvokeCommand.class, LedgerCommand.class, BackupsCommand.class,
                BackupNowCommand.class, RestoreCommand.class, ArchiveCommand.class, ReleaseCommands.Release.class,
                ReleaseCommands.Rollback.class, ReleaseCommands.History.class, LifecycleCommand.class, StatusCommand.class, BenchCommand.class,
                ReplicateCommand.class, DeployCommand.class, ScanCommand.class, VerifyCommand.class, AlertsCommand.class, ReportCommand.class})
public final class Qm implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("demo") || args[0].equals("bench") || args[0].equals("release") || args[0].equals("rollback")) && System.getProperty("qm.log.level") == null) {
            System.setProperty("qm.log.level", "WARN"); // the handlers' INFO lines would drown the story
        }
        System.exit(execute(args));
    }

    /** One line a person can act on; the SDK's credential and region errors get the fix spelled out. */
    static String explain(Exception ex) {
        String m = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        if (m.contains("Unable to load credentials")) {
            return "no AWS credentials found: run `aws configure` (or `aws sso login`) or set AWS_PROFILE, then retry";
        }
        if (m.contains("Unable to load region")) {
            return "no AWS region: set AWS_REGION (or a region in your AWS profile) to where the stack is deployed";
        }
        if (m.contains("ResourceNotFoundException") || m.contains("Requested resource not found")) {
            return "the ledger table was not found: is the stack deployed in this account and region? (" + m.lines().findFirst().orElse("") + ")";
        }
        return m;
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Qm());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("qm: " + explain(ex));
            if (System.getenv("QM_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }
}
