package dev.quartermaster.infra;

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
    static final String DEFAULT_JAR = "functions/target/quartermaster-functions-0.1.0-SNAPSHOT-lambda.jar";

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
        Object jarContext = app.getNode().tryGetContext("functionsJar");
        Path jar = Path.of(jarContext == null ? DEFAULT_JAR : jarContext.toString());
        if (!Files.isRegularFile(jar)) {
            System.err.println("The functions jar " + jar.toAbsolutePath() + " is missing: run `mvn -B -DskipTests package` first "
                    + "(cdk.json does this for you when you run cdk synth from the repository root).");
            System.exit(2);
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
                config, Code.fromAsset(jar.toString()));
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
        app.synth();
    }
}
