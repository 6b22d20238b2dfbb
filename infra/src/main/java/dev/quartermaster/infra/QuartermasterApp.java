package dev.quartermaster.infra;

import dev.quartermaster.contract.Bundle;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.lambda.Code;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code cdk synth} / {@code cdk deploy} entry point (see cdk.json). */
public final class QuartermasterApp {
    static final String DEFAULT_JARS = "functions/target";

    private QuartermasterApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Config config;
        Object lockContext = app.getNode().tryGetContext("lockFile");
        Path lockFile = Path.of(lockContext == null ? LOCK_FILE : lockContext.toString());
        try {
            config = Config.from(key -> app.getNode().tryGetContext(key));
            List<String> changes = Config.encryptionChanges(config, lockedEncryption(lockFile));
            if (!changes.isEmpty()) {
                throw new IllegalArgumentException("Quartermaster configuration is invalid:\n  - " + String.join("\n  - ", changes)
                        + "\n(" + lockFile + " records what each repository was created with.)");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Object jarsContext = app.getNode().tryGetContext("functionsJars");
        Path jars = Path.of(jarsContext == null ? DEFAULT_JARS : jarsContext.toString());
        java.util.Map<Bundle, Code> code = new java.util.EnumMap<>(Bundle.class);
        for (Bundle bundle : Bundle.values()) {
            Path jar = jars.resolve(bundle.jarName());
            if (!Files.isRegularFile(jar)) {
                System.err.println("The function jar " + jar.toAbsolutePath() + " is missing: run `mvn -B -DskipTests package` first "
                        + "(cdk.json does this for you when you run cdk synth from the repository root).");
                System.exit(2);
            }
            code.put(bundle, Code.fromAsset(jar.toString()));
        }
        Object stackName = app.getNode().tryGetContext("stackName");
        QuartermasterStack stack = new QuartermasterStack(app, stackName == null ? "Quartermaster" : stackName.toString(),
                StackProps.builder()
                        .description("Quartermaster: ECR image ledger, version verification and verified database backups")
                        .env(Environment.builder()
                                .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                                .region(System.getenv("CDK_DEFAULT_REGION"))
                                .build())
                        .build(),
                config, code::get);
        for (Config.Destination d : config.estate().replication()) {
            new ReplicaStack(app, stack.getStackName() + "-Replica-" + d.id(), config, d);
        }
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        app.synth();
        lockEncryption(lockFile, config);
    }

    /** Beside cdk.json: the choices fixed when a resource is created (today each repository's encryption). Commit it. */
    static final String LOCK_FILE = "quartermaster.lock.json";

    static java.util.Map<String, String> lockedEncryption(Path file) {
        if (!Files.isRegularFile(file)) {
            return java.util.Map.of();
        }
        try {
            var node = Config.JSON.readTree(file.toFile()).path(Config.LOCKED_ENCRYPTION);
            java.util.Map<String, String> out = new java.util.TreeMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(file + " is not JSON (" + e.getMessage() + "): fix or restore it from git");
        }
    }

    /** Records the encryption of repositories not recorded yet (a recorded one never changes here: Config refuses that). */
    static void lockEncryption(Path file, Config config) {
        java.util.Map<String, String> locked = new java.util.TreeMap<>(lockedEncryption(file));
        boolean changed = false;
        for (String repo : config.repositories()) {
            if (!locked.containsKey(repo)) {
                locked.put(repo, config.estate().encryption());
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        try {
            var root = Files.isRegularFile(file) ? (com.fasterxml.jackson.databind.node.ObjectNode) Config.JSON.readTree(file.toFile())
                    : Config.JSON.createObjectNode();
            root.set(Config.LOCKED_ENCRYPTION, Config.JSON.valueToTree(locked));
            Files.writeString(file, Config.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (java.io.IOException e) {
            System.err.println("[quartermaster] could not record the repositories' encryption in " + file + ": " + e.getMessage());
        }
    }
}
