package dev.quartermaster.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.StackOutput;
import dev.quartermaster.contract.options.Configuration;
import dev.quartermaster.events.EventParser;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Quartermaster the operator commands talk to: the local one (default) or a deployed stack
 * ({@code --aws}). For a deployed stack, the table, bucket and documents come from the outputs file
 * that {@code npx cdk deploy --outputs-file .qm/outputs.json} writes, or from the environment.
 */
public final class Target {
    public static final String OUTPUTS = ".qm/outputs.json";

    @Option(
            names = "--aws",
            description = "read and act on the deployed stack instead of the local state")
    public boolean aws;

    @Option(
            names = "--stack",
            defaultValue = "Quartermaster",
            description = "stack name (default: ${DEFAULT-VALUE})")
    public String stack;

    @Option(names = "--output", defaultValue = "text", description = "text or json")
    String output;

    @Option(
            names = "-c",
            paramLabel = "key=value",
            description =
                    "cdk.json context override, as cdk takes it (repeatable; the last wins):"
                            + " every command reads the options the stack reads")
    public List<String> context = new ArrayList<>();

    /** The local Quartermaster, with cdk.json's context and this command's -c overrides. */
    public LocalEnvironment local() {
        return LocalEnvironment.persistent().context(context);
    }

    /**
     * The configuration as the stack would read it from cdk.json and the -c overrides (with the
     * local stand-ins for what only AWS knows).
     *
     * @throws IllegalArgumentException every problem, an undeclared key among them
     */
    public Configuration configuration() {
        try (LocalEnvironment local = local()) {
            return local.configuration();
        }
    }

    /** The deployed stack's name (its resources are named {@code <stack>-...}). */
    public String stackName() {
        return stack;
    }

    public boolean json() {
        if (!output.equals("text") && !output.equals("json")) {
            throw new IllegalArgumentException(
                    "--output must be text or json, not '" + output + "'");
        }
        return output.equals("json");
    }

    /** Settings for a deployed stack: the process environment plus the stack's outputs. */
    public Map<String, String> awsSettings() {
        return awsSettings(LocalEnvironment.home().resolve(OUTPUTS), System.getenv());
    }

    /**
     * The environment plus the outputs in {@code outputsFile} (the environment wins), each into the
     * key its {@link StackOutput} names.
     */
    public Map<String, String> awsSettings(Path outputsFile, Map<String, String> environment) {
        Map<String, String> env = new HashMap<>(environment);
        Map<String, String> outputs = stackOutputs(outputsFile);
        for (StackOutput o : StackOutput.values()) { // the environment wins over the outputs file
            String v = outputs.get(o.id());
            if (v != null && !env.containsKey(o.key())) {
                env.put(o.key(), StackOutput.read(v));
            }
        }
        env.putIfAbsent(
                "REGISTRY_AUTH",
                "ecr"); // the deployed stack's registry: ECR, reached through its API and its
        // tokens
        if (!env.containsKey("TABLE_NAME")) {
            throw new IllegalStateException(
                    "no outputs for stack '"
                            + stack
                            + "': deploy with `npx cdk deploy --outputs-file "
                            + OUTPUTS
                            + "` (or set TABLE_NAME and BACKUP_BUCKET from the stack's outputs)");
        }
        if (env.get("AWS_REGION") == null
                && env.get("AWS_DEFAULT_REGION") == null
                && env.get("AWS_PROFILE") == null) {
            throw new IllegalStateException(
                    "no AWS region: set AWS_REGION (or AWS_PROFILE) to the region you deployed to");
        }
        return env;
    }

    /** The functions' shared platform on the deployed stack's resources. */
    public Platform awsPlatform() {
        return new Platform(Settings.of(awsSettings()));
    }

    private Map<String, String> stackOutputs(Path file) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            JsonNode node = EventParser.JSON.readTree(file.toFile()).path(stack);
            if (node.isMissingNode()) {
                throw new IllegalStateException(
                        OUTPUTS
                                + " has no stack named '"
                                + stack
                                + "'; pass --stack with the name you deployed");
            }
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(OUTPUTS + " is unreadable: " + e.getMessage(), e);
        }
    }
}
