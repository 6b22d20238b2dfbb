package dev.quartermaster.replication;

import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.ImageReplicationStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * ECR's DescribeImageReplicationStatus in the home registry: one status per destination (region,
 * registry id).
 */
public final class EcrReplicationStatus implements ReplicationStatus {
    private static final int MAX_STATUSES = 64;
    private final EcrClient ecr;

    public EcrReplicationStatus(EcrClient ecr) {
        this.ecr = ecr;
    }

    @Override
    public List<Status> of(String repository, String digest) {
        List<ImageReplicationStatus> statuses;
        try {
            statuses =
                    ecr.describeImageReplicationStatus(
                                    b ->
                                            b.repositoryName(repository)
                                                    .imageId(i -> i.imageDigest(digest)))
                            .replicationStatuses();
        } catch (ImageNotFoundException e) {
            return List
                    .of(); // deleted from the source before it was replicated: nothing to confirm,
            // the replica stays late
        }
        List<Status> out = new ArrayList<>();
        for (ImageReplicationStatus s :
                statuses.subList(0, Math.min(MAX_STATUSES, statuses.size()))) {
            State state =
                    switch (s.statusAsString() == null ? "" : s.statusAsString()) {
                        case "COMPLETE" -> State.COMPLETE;
                        case "FAILED" -> State.FAILED;
                        default -> State.IN_PROGRESS;
                    };
            try {
                out.add(
                        new Status(
                                new Destination(s.region(), s.registryId()),
                                state,
                                s.failureCode()));
            } catch (IllegalArgumentException e) {
                // a status naming no valid region/account is not one of ours
            }
        }
        return out;
    }
}
