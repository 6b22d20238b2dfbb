package dev.quartermaster.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/qm: the project's command line. */
@Command(name = "qm", mixinStandardHelpOptions = true, version = "quartermaster 0.1.0",
        description = "Quartermaster: ECR image ledger, version verification and verified database backups.",
        subcommands = {InvokeCommand.class, LedgerCommand.class, BenchCommand.class})
public final class Qm implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Qm());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("qm: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("QM_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }
}
