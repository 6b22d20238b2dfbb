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

/** {@code cdk synth} / {@code cdk deploy} entry point (see cdk.json). */
public final class QuartermasterApp {
    static final String DEFAULT_JARS = "functions/target";

    private QuartermasterApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        Config config;
        try {
            config = Config.from(key -> app.getNode().tryGetContext(key));
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
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        app.synth();
    }
}
