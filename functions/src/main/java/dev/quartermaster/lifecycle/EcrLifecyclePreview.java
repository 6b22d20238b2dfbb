package dev.quartermaster.lifecycle;

import dev.quartermaster.registry.RegistryException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyPreviewResponse;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyPreviewInProgressException;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyPreviewResult;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyPreviewStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * ECR's lifecycle policy preview: StartLifecyclePolicyPreview with a policy text (the rules as
 * cdk.json would deploy them, not necessarily the deployed ones), then GetLifecyclePolicyPreview
 * until COMPLETE, every page. Needs ecr:StartLifecyclePolicyPreview and
 * ecr:GetLifecyclePolicyPreview on the repository. Bounded: at most {@code timeout} of polling, at
 * most {@value #MAX_RESULTS} results.
 */
public final class EcrLifecyclePreview {
    static final int MAX_RESULTS = 100_000;
    private final Supplier<EcrClient> ecr;
    private final Duration poll;

    public EcrLifecyclePreview(Supplier<EcrClient> ecr, Duration poll) {
        this.ecr = ecr;
        this.poll = poll;
    }

    /** One image ECR would act on: EXPIRE or TRANSITION, by the rule of that priority. */
    public record Result(String digest, String action, int rulePriority) {}

    /** digest → what ECR would do to it; images ECR does not name are kept. */
    public Map<String, Result> preview(String repository, String policyText, Duration timeout) {
        try {
            ecr.get()
                    .startLifecyclePolicyPreview(
                            b -> b.repositoryName(repository).lifecyclePolicyText(policyText));
        } catch (LifecyclePolicyPreviewInProgressException e) {
            throw new RegistryException(
                    "a lifecycle preview of "
                            + repository
                            + " is already running in ECR (someone else's, or an earlier"
                            + " one): try again in a minute");
        }
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            GetLifecyclePolicyPreviewResponse first =
                    ecr.get()
                            .getLifecyclePolicyPreview(
                                    b -> b.repositoryName(repository).maxResults(100));
            LifecyclePolicyPreviewStatus status = first.status();
            if (status == LifecyclePolicyPreviewStatus.COMPLETE) {
                return results(repository, first);
            }
            if (status != LifecyclePolicyPreviewStatus.IN_PROGRESS) {
                throw new RegistryException(
                        "ECR's lifecycle preview of "
                                + repository
                                + " ended "
                                + first.statusAsString());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new RegistryException(
                        "ECR's lifecycle preview of "
                                + repository
                                + " was still IN_PROGRESS after "
                                + timeout.toSeconds()
                                + " s");
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted waiting for ECR's lifecycle preview", e);
            }
        }
    }

    private Map<String, Result> results(String repository, GetLifecyclePolicyPreviewResponse page) {
        Map<String, Result> out = new LinkedHashMap<>();
        GetLifecyclePolicyPreviewResponse p = page;
        while (true) {
            for (LifecyclePolicyPreviewResult r : p.previewResults()) {
                if (out.size() >= MAX_RESULTS) {
                    throw new RegistryException(
                            "ECR's lifecycle preview of "
                                    + repository
                                    + " names more than "
                                    + MAX_RESULTS
                                    + " images");
                }
                String digest = r.imageDigest();
                if (digest == null || !digest.matches("sha256:[a-f0-9]{64}")) {
                    continue; // not an image digest: nothing the ledger could name
                }
                String action =
                        r.action() == null || r.action().typeAsString() == null
                                ? "EXPIRE"
                                : r.action().typeAsString();
                out.put(
                        digest,
                        new Result(
                                digest,
                                action.equals("TRANSITION") ? "TRANSITION" : "EXPIRE",
                                r.appliedRulePriority() == null ? -1 : r.appliedRulePriority()));
            }
            String next = p.nextToken();
            if (next == null || next.isEmpty()) {
                return out;
            }
            p =
                    ecr.get()
                            .getLifecyclePolicyPreview(
                                    b ->
                                            b.repositoryName(repository)
                                                    .maxResults(100)
                                                    .nextToken(next));
        }
    }
}
