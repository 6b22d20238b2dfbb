package dev.quartermaster.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Code;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Synthesises the stack from a context map, as cdk synth -c key=value would. */
final class StackFixture {
    private StackFixture() {}

    static QuartermasterStack stack(Map<String, Object> context, boolean nag) {
        App app = new App();
        StackConfig config = StackConfig.from(context);
        QuartermasterStack stack =
                new QuartermasterStack(
                        app, "Test", StackProps.builder().build(), config, StackFixture::code);
        if (nag) {
            Aspects.of(stack).add(AwsSolutionsChecks.Builder.create().build());
        }
        return stack;
    }

    static Template template(Map<String, Object> context) {
        return Template.fromStack(stack(context, false));
    }

    /**
     * One placeholder asset per function jar, each with its own content (so its own asset hash).
     */
    static Code code(dev.quartermaster.contract.Bundle bundle) {
        try {
            Path dir = Files.createTempDirectory("qm-asset");
            Files.writeString(
                    dir.resolve("placeholder.txt"),
                    "the real stack ships functions/target/*-" + bundle.classifier() + ".jar");
            return Code.fromAsset(dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
