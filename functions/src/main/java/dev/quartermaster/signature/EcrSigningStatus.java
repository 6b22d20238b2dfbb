package dev.quartermaster.signature;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageSigningStatus;

import java.util.List;
import java.util.Optional;

/**
 * ECR managed signing's status of a push (DescribeImageSigningStatus): the first failure, else in
 * progress, else complete.
 */
public final class EcrSigningStatus implements SigningStatus {
    private final EcrClient ecr;

    public EcrSigningStatus(EcrClient ecr) {
        this.ecr = ecr;
    }

    @Override
    public Optional<Status> status(String repository, String digest) {
        List<ImageSigningStatus> all =
                ecr.describeImageSigningStatus(
                                b ->
                                        b.repositoryName(repository)
                                                .imageId(i -> i.imageDigest(digest)))
                        .signingStatuses();
        if (all == null || all.isEmpty()) {
            return Optional.empty();
        }
        for (String wanted : List.of("FAILED", "IN_PROGRESS", "COMPLETE")) {
            for (ImageSigningStatus s : all) {
                if (wanted.equals(s.statusAsString())) {
                    String reason =
                            s.failureCode() == null
                                    ? null
                                    : s.failureCode() + ": " + s.failureReason();
                    return Optional.of(
                            new Status(State.valueOf(wanted), s.signingProfileArn(), reason));
                }
            }
        }
        return Optional.empty();
    }
}
