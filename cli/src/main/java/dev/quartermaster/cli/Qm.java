package dev.quartermaster.cli;

import dev.quartermaster.cli.bench.BenchCommand;
import dev.quartermaster.cli.commands.ArchiveCommand;
import dev.quartermaster.cli.commands.BackupNowCommand;
import dev.quartermaster.cli.commands.BackupsCommand;
import dev.quartermaster.cli.commands.DeployCommand;
import dev.quartermaster.cli.commands.InvokeCommand;
import dev.quartermaster.cli.commands.LedgerCommand;
import dev.quartermaster.cli.commands.RestoreCommand;
import dev.quartermaster.cli.commands.ScanCommand;
import dev.quartermaster.cli.commands.VerifyCommand;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.demo.DemoCommand;
import dev.quartermaster.cli.lifecycle.LifecycleCommand;
import dev.quartermaster.cli.ops.AlertsCommand;
import dev.quartermaster.cli.ops.HostsCommand;
import dev.quartermaster.cli.ops.ReportCommand;
import dev.quartermaster.cli.ops.StatusCommand;
import dev.quartermaster.cli.release.ReleaseCommands;
import dev.quartermaster.cli.replication.ReplicateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/qm: the project's command line. */
@Command(
        name = "qm",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Qm.Version.class,
        description =
                "Quartermaster: ECR image ledger, version and signature verification, image archive, registry estate, "
                        + "lifecycle guard, release switch and verified database backups.",
        subcommands = {
            DemoCommand.class,
            InvokeCommand.class,
            LedgerCommand.class,
            BackupsCommand.class,
            BackupNowCommand.class,
            RestoreCommand.class,
            ArchiveCommand.class,
            ReleaseCommands.Release.class,
            ReleaseCommands.Rollback.class,
            ReleaseCommands.History.class,
            LifecycleCommand.class,
            StatusCommand.class,
            BenchCommand.class,
            ReplicateCommand.class,
            DeployCommand.class,
            ScanCommand.class,
            VerifyCommand.class,
            AlertsCommand.class,
            ReportCommand.class,
            HostsCommand.class
        })
public final class Qm implements Runnable {
    /** The version the poms give the build (the contract's filtered version.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"quartermaster " + dev.quartermaster.contract.Bundle.version()};
        }
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        if (args.length > 0
                && (args[0].equals("demo")
                        || args[0].equals("bench")
                        || args[0].equals("release")
                        || args[0].equals("rollback"))
                && System.getProperty("qm.log.level") == null) {
            System.setProperty(
                    "qm.log.level", "WARN"); // the handlers' INFO lines would drown the story
        }
        System.exit(execute(args));
    }

    /**
     * One line a person can act on; the SDK's credential and region errors get the fix spelled out.
     */
    static String explain(Exception ex) {
        String m = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        if (m.contains("Unable to load credentials")) {
            return "no AWS credentials found: run `aws configure` (or `aws sso login`) or set AWS_PROFILE, then retry";
        }
        if (m.contains("Unable to load region")) {
            return "no AWS region: set AWS_REGION (or a region in your AWS profile) to where the stack is deployed";
        }
        if (m.contains("ResourceNotFoundException") || m.contains("Requested resource not found")) {
            return "the ledger table was not found: is the stack deployed in this account and region? ("
                    + m.lines().findFirst().orElse("")
                    + ")";
        }
        return m;
    }

    /**
     * The command line bin/qm runs (every command answers --help; docs/commands.md is generated
     * from it).
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Qm());
    }

    public static int execute(String... args) {
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    cmd.getErr().println("qm: " + explain(ex));
                    if (System.getenv("QM_DEBUG") != null) {
                        ex.printStackTrace(cmd.getErr());
                    }
                    return 1;
                });
        cl.setExecutionStrategy(
                parsed -> {
                    String refused = refusedOptions(parsed);
                    if (refused != null) {
                        cl.getErr().println("qm: " + refused);
                        cl.getErr().flush();
                        return 2;
                    }
                    return new CommandLine.RunLast().execute(parsed);
                });
        return cl.execute(args);
    }

    /**
     * Every command that takes {@code -c} (its {@link Target}) first reads the configuration as the
     * stack would, so an undeclared key or a bad value is refused before anything runs; null when
     * all is well (or only help is asked).
     */
    static String refusedOptions(CommandLine.ParseResult parsed) {
        java.util.List<CommandLine> commands = parsed.asCommandLineList();
        if (commands.stream()
                .anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) {
            return null;
        }
        for (CommandLine.Model.CommandSpec mixin :
                commands.get(commands.size() - 1).getCommandSpec().mixins().values()) {
            if (mixin.userObject() instanceof Target target) {
                try {
                    target.configuration();
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            }
        }
        return null;
    }
}
