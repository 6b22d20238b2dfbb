package dev.quartermaster.cli.commands;

import dev.quartermaster.app.Wiring;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.FunctionCatalog;
import dev.quartermaster.cli.local.LocalAgent;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalInvoke;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs a real handler with an event file, against local backends or AWS. */
@Command(
        name = "invoke",
        description = "Run a function's real handler with an event file and print its result.")
public final class InvokeCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            completionCandidates = FunctionNames.class,
            description = "function name as deployed: ${COMPLETION-CANDIDATES}")
    String function;

    /** The catalogue's function names, for the help text. */
    public static final class FunctionNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Catalog.names().iterator();
        }
    }

    @Parameters(index = "1", description = "event JSON file (see events/)")
    Path eventFile;

    @picocli.CommandLine.Mixin Target target = new Target();

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--registry",
            description =
                    "OCI registry URL for image-verify and image-archive (e.g. http://127.0.0.1:5000)")
    String registry;

    @Override
    public Integer call() throws Exception {
        String unknown = FunctionCatalog.unknown(function);
        if (unknown != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), unknown);
        }
        if (!Files.isRegularFile(eventFile)) {
            System.err.println("qm invoke: no such event file: " + eventFile);
            return 2;
        }
        byte[] event = Files.readAllBytes(eventFile);
        boolean remote = target.aws || System.getenv("AWS_ENDPOINT_URL") != null;
        try (LocalEnvironment local = target.local()) {
            Wiring wiring;
            LocalAgent agent = null;
            if (remote) {
                // the deployed stack's resources from .qm/outputs.json (cdk deploy --outputs-file);
                // an emulator's from the environment
                Map<String, String> env =
                        target.aws ? target.awsSettings() : new HashMap<>(System.getenv());
                if (registry != null) {
                    env.put("REGISTRY_URL", registry);
                }
                wiring = Wiring.of(new Platform(Settings.of(env)));
            } else {
                LocalServices ls =
                        LocalServices.create(
                                local,
                                registry,
                                System.err,
                                FunctionCatalog.needsBackups(function),
                                FunctionCatalog.needsArchive(function));
                if (FunctionCatalog.needsBackups(function)) {
                    local.ensureDatabase(System.err);
                }
                wiring = ls.wiring;
                agent = ls.agent;
            }
            int rc;
            try {
                rc = LocalInvoke.run(FunctionCatalog.create(function, wiring), function, event);
            } catch (Exception e) {
                if (remote) {
                    throw e;
                }
                // Lambda would retry, then put the event in the dead-letter queue: locally it goes
                // where bin/qm status counts it
                java.nio.file.Path kept =
                        dev.quartermaster.cli.ops.DeadLetters.keep(
                                local.deadLettersDir(), function, event, e);
                System.err.println(
                        "qm invoke: "
                                + function
                                + " failed: "
                                + e
                                + "; the event is kept in "
                                + kept
                                + " (the local dead-letter queue)");
                return 1;
            }
            if (agent != null) {
                rc = Math.max(rc, LocalInvoke.reportToStatusFunction(agent, wiring));
            }
            return rc;
        }
    }
}
