package dev.quartermaster.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.contract.DeployRecord;
import dev.quartermaster.contract.StackOutput;
import dev.quartermaster.contract.options.AppOptions;
import dev.quartermaster.contract.options.OptionSource;
import dev.quartermaster.contract.options.Options;
import dev.quartermaster.contract.options.Problems;
import dev.quartermaster.events.EventParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/qm deploy}: {@code cdk deploy}, then, only when it succeeded, the record of what it
 * created that no later deploy can change (each repository's encryption), which synth checks. A
 * synth deploys nothing, so it records nothing.
 */
@Command(
        name = "deploy",
        description = {
            "npx cdk deploy (writing "
                    + Target.OUTPUTS
                    + "), then, when it succeeded, record each repository's encryption",
            "in "
                    + DeployRecord.FILE
                    + " (commit it): synth refuses a later change ECR cannot make.",
            "  qm deploy                                    the home stack, as cdk.json says",
            "  qm deploy --all -c repositoryEncryption=KMS --profile prod    any cdk deploy arguments pass through"
        })
public final class DeployCommand implements Callable<Integer> {
    /**
     * Runs {@code cdk deploy} with these arguments in the project directory; returns its exit code.
     */
    interface Cdk {
        int deploy(List<String> args, Path home) throws IOException, InterruptedException;
    }

    @Unmatched List<String> cdkArgs = new ArrayList<>();

    @Override
    public Integer call() {
        return run(
                cdkArgs,
                LocalEnvironment.home(),
                DeployCommand::npxCdkDeploy,
                System.out,
                System.err);
    }

    static int run(List<String> cdkArgs, Path home, Cdk cdk, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(cdkArgs);
        if (!args.contains("--outputs-file")) {
            args.add(0, Target.OUTPUTS);
            args.add(0, "--outputs-file");
        }
        Path outputs = home.resolve(args.get(args.indexOf("--outputs-file") + 1));
        // synth checks every value (in AWS's terms: account, region); here only what deploy needs,
        // and no undeclared key
        OptionSource source = OptionSource.cdkJson(home, contextOverrides(cdkArgs));
        List<String> unknown = source.unknownKeys(Options.ALL);
        if (!unknown.isEmpty()) {
            err.println("qm deploy: " + String.join("; ", unknown));
            return 2;
        }
        Problems problems = new Problems();
        AppOptions app = AppOptions.read(source, problems);
        problems.throwIfAny();
        String stack = app.stackName();
        Path lockFile = home.resolve(app.lockFile());
        int rc;
        try {
            Files.createDirectories(outputs.getParent());
            rc = cdk.deploy(args, home);
        } catch (IOException e) {
            err.println(
                    "qm deploy: could not run cdk ("
                            + e.getMessage()
                            + "): run npm install in "
                            + home
                            + " first");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        if (rc != 0) {
            err.println("qm deploy: cdk deploy failed (exit " + rc + "): nothing recorded");
            return rc;
        }
        DeployRecord record;
        try {
            record = record(outputs, stack);
        } catch (IllegalStateException e) {
            err.println("qm deploy: the deploy succeeded, but " + e.getMessage());
            return 1;
        }
        if (record == null) {
            out.println(
                    "qm deploy: "
                            + stack
                            + " was not deployed by this run (no outputs for it in "
                            + outputs
                            + "): nothing recorded");
            return 0;
        }
        DeployRecord.write(lockFile, stack, record);
        out.println(
                "qm deploy: recorded in "
                        + home.relativize(lockFile)
                        + " (commit it): "
                        + stack
                        + " "
                        + record.encryption());
        return 0;
    }

    /**
     * What the stack's outputs say was deployed, or null when the outputs file has no entry for the
     * stack.
     */
    static DeployRecord record(Path outputs, String stack) {
        JsonNode node;
        try {
            node =
                    Files.isRegularFile(outputs)
                            ? EventParser.JSON.readTree(outputs.toFile()).path(stack)
                            : null;
        } catch (IOException e) {
            throw new IllegalStateException(
                    outputs + " is unreadable (" + e.getMessage() + "): nothing recorded");
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        String value = node.path(StackOutput.REPOSITORY_ENCRYPTION.id()).asText("");
        Map<String, String> encryption = new TreeMap<>();
        try {
            EventParser.JSON
                    .readTree(value)
                    .fields()
                    .forEachRemaining(e -> encryption.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            encryption.clear();
        }
        if (encryption.isEmpty()) {
            throw new IllegalStateException(
                    "its outputs in "
                            + outputs
                            + " have no "
                            + StackOutput.REPOSITORY_ENCRYPTION.id()
                            + " (a stack deployed by an earlier version?): nothing recorded; deploy again with this version");
        }
        Matcher m = REGISTRY.matcher(node.path(StackOutput.RELEASE_IMAGE_URI.id()).asText(""));
        return m.lookingAt()
                ? new DeployRecord(m.group(1), m.group(2), encryption)
                : new DeployRecord(null, null, encryption);
    }

    private static final Pattern REGISTRY =
            Pattern.compile("([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.");

    /** The {@code -c key=value} / {@code --context key=value} arguments, as cdk takes them. */
    static List<String> contextOverrides(List<String> cdkArgs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cdkArgs.size(); i++) {
            String a = cdkArgs.get(i);
            if ((a.equals("-c") || a.equals("--context")) && i + 1 < cdkArgs.size()) {
                out.add(cdkArgs.get(++i));
            } else if (a.startsWith("--context=")) {
                out.add(a.substring("--context=".length()));
            }
        }
        return out;
    }

    private static int npxCdkDeploy(List<String> args, Path home)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("npx", "--no-install", "cdk", "deploy"));
        command.addAll(args);
        return new ProcessBuilder(command).directory(home.toFile()).inheritIO().start().waitFor();
    }
}
