package dev.quartermaster.lifecycle;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * ECR's {@code GetLifecyclePolicy}: {@code lastEvaluatedAt}, the time the repository's lifecycle
 * policy last ran.
 */
public final class EcrLifecyclePolicyRuns implements LifecycleHearing.PolicyRuns {
    private final Supplier<EcrClient> ecr;

    public EcrLifecyclePolicyRuns(Supplier<EcrClient> ecr) {
        this.ecr = ecr;
    }

    @Override
    public Instant lastRun(String repository) {
        try {
            Instant at =
                    ecr.get()
                            .getLifecyclePolicy(b -> b.repositoryName(repository))
                            .lastEvaluatedAt();
            return at == null || at.getEpochSecond() <= 0 ? null : at;
        } catch (LifecyclePolicyNotFoundException e) {
            return null;
        }
    }
}
