package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CdkNagTest {
    @Test
    void awsSolutionsPack_reportsNoUnsuppressedErrorsOrWarnings() {
        var stack =
                StackFixture.stack(
                        Map.of("alertEmail", "ops@example.com", "mutableTags", "latest"), true);
        var annotations = Annotations.fromStack(stack);

        var errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
        var warnings = annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));

        assertThat(errors.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList())
                .isEmpty();
        assertThat(warnings.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList())
                .isEmpty();
    }

    @Test
    void awsSolutionsPack_withPrivateHosts_reportsNoUnsuppressedErrorsOrWarnings() {
        var stack =
                StackFixture.stack(
                        Map.of(
                                "alertEmail",
                                "ops@example.com",
                                "privateHosts",
                                PrivateHostsStackTest.PRIVATE),
                        true);
        var annotations = Annotations.fromStack(stack);
        var found =
                new java.util.ArrayList<>(
                        annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")));
        found.addAll(annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")));
        assertThat(found.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList())
                .isEmpty();
    }
}
