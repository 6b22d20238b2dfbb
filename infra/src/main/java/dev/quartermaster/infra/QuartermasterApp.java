package dev.quartermaster.infra;

import dev.quartermaster.contract.Bundle;
import dev.quartermaster.contract.DeployRecord;
import dev.quartermaster.contract.options.EstateOptions;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.Options;
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

    private QuartermasterApp() {}

    public static void main(String[] args) {
        App app = new App();
        try {
            synth(app, System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Validates the configuration against what was deployed, builds the stacks and synthesises
     * them. Writes nothing but the cloud assembly: what a deploy created is recorded by {@code
     * bin/qm deploy}, once the deploy succeeded.
     *
     * @throws IllegalArgumentException with every problem and its fix
     */
    static void synth(App app, java.util.function.Function<String, String> env) {
        synth(app, env, ecrWhenCredentials(env));
    }

    /**
     * @param registry what ECR holds (null: synth has no credentials, the deploy record answers)
     */
    static void synth(
            App app,
            java.util.function.Function<String, String> env,
            DeployedRepositories registry) {
        synth(app, env, registry, Options.ALL);
    }

    /**
     * @param declared the options that exist (a test declares one more)
     */
    static void synth(
            App app,
            java.util.function.Function<String, String> env,
            DeployedRepositories registry,
            List<Option<?>> declared) {
        StackConfig config = configuration(app, env, declared);
        String name = config.options().app().stackName();
        Path lockFile = Path.of(config.options().app().lockFile());
        String source =
                lockFile
                        + " records what each repository was created with; bin/qm deploy writes it when a deploy succeeds.";
        java.util.Map<String, String> deployed = null;
        if (registry != null) {
            try {
                deployed = registry.encryption(config.repositories());
                source = "ECR's DescribeRepositories says what each repository was created with.";
            } catch (RuntimeException e) {
                System.err.println(
                        "[quartermaster] could not ask ECR what the repositories were created with ("
                                + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                                + "); checking "
                                + lockFile
                                + " instead");
            }
        }
        if (deployed == null) {
            deployed = deployedEncryption(lockFile, name, config.options().estate());
        }
        List<String> changes = StackConfig.encryptionChanges(config.options(), deployed);
        if (!changes.isEmpty()) {
            throw new IllegalArgumentException(
                    "Quartermaster configuration is invalid:\n  - "
                            + String.join("\n  - ", changes)
                            + "\n("
                            + source
                            + ")");
        }
        Path jars = Path.of(config.options().app().functionsJars());
        java.util.Map<Bundle, Code> code = new java.util.EnumMap<>(Bundle.class);
        for (Bundle bundle : Bundle.values()) {
            Path jar = jars.resolve(bundle.jarName());
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(
                        "The function jar "
                                + jar.toAbsolutePath()
                                + " is missing: run `mvn -B -DskipTests package` first "
                                + "(cdk.json does this for you when you run cdk synth from the repository root).");
            }
            code.put(bundle, Code.fromAsset(jar.toString()));
        }
        QuartermasterStack stack =
                new QuartermasterStack(
                        app,
                        name,
                        StackProps.builder()
                                .description(
                                        "Quartermaster: ECR image ledger, version verification and verified database backups")
                                .env(
                                        Environment.builder()
                                                .account(env.apply("CDK_DEFAULT_ACCOUNT"))
                                                .region(env.apply("CDK_DEFAULT_REGION"))
                                                .build())
                                .build(),
                        config,
                        code::get);
        for (EstateOptions.Destination d : config.options().estate().replication()) {
            new ReplicaStack(app, stack.getStackName() + "-Replica-" + d.id(), config.options(), d);
        }
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        app.synth();
    }

    /**
     * The configuration in the app node's context (cdk.json's, with -c overrides), read through the
     * declarations as bin/qm reads cdk.json; a key no declaration names is refused.
     */
    static StackConfig configuration(
            App app, java.util.function.Function<String, String> env, List<Option<?>> declared) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> context =
                (java.util.Map<String, Object>) app.getNode().getAllContext();
        return StackConfig.read(StackConfig.source(context, env), declared);
    }

    /**
     * ECR, when synth has credentials: cdk sets {@code CDK_DEFAULT_ACCOUNT} only when it found
     * some, and the region with it. Null otherwise (no network call from a synth without
     * credentials).
     */
    static DeployedRepositories ecrWhenCredentials(
            java.util.function.Function<String, String> env) {
        String account = env.apply("CDK_DEFAULT_ACCOUNT");
        String region = env.apply("CDK_DEFAULT_REGION");
        if (account == null || account.isBlank() || region == null || region.isBlank()) {
            return null;
        }
        return new EcrDeployedRepositories(region, null);
    }

    /**
     * Each repository's encryption as the last successful deploy of {@code stack} recorded it
     * (empty when nothing was deployed, or the record is of another account or region than the one
     * synth targets).
     */
    static java.util.Map<String, String> deployedEncryption(
            Path file, String stack, EstateOptions estate) {
        if (DeployRecord.hasSynthRecord(file)) {
            System.err.println(
                    "[quartermaster] "
                            + file
                            + ": the top-level \""
                            + StackConfig.LOCKED_ENCRYPTION
                            + "\" was written by a synth of an"
                            + " earlier version (whether or not anything was deployed) and is ignored; bin/qm deploy records what a deploy created");
        }
        DeployRecord record = DeployRecord.read(file, stack);
        if (record == null) {
            return java.util.Map.of();
        }
        boolean otherAccount =
                record.account() != null
                        && estate.homeAccount() != null
                        && !record.account().equals(estate.homeAccount());
        boolean otherRegion =
                record.region() != null
                        && estate.homeRegion() != null
                        && !record.region().equals(estate.homeRegion());
        if (otherAccount || otherRegion) {
            System.err.println(
                    "[quartermaster] "
                            + file
                            + " records "
                            + stack
                            + " deployed to "
                            + record.account()
                            + "/"
                            + record.region()
                            + "; this synth targets "
                            + estate.homeAccount()
                            + "/"
                            + estate.homeRegion()
                            + ": the record does not apply");
            return java.util.Map.of();
        }
        return record.encryption();
    }
}
