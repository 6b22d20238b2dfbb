package dev.quartermaster.replication;

import java.util.List;

/**
 * The registry's own word on one digest's replication (ECR's DescribeImageReplicationStatus), asked
 * for late replicas only.
 */
public interface ReplicationStatus {
    enum State {
        IN_PROGRESS,
        COMPLETE,
        FAILED
    }

    record Status(Destination destination, State state, String failureCode) {}

    /**
     * One status per destination ECR knows of; empty when the source image is gone or ECR has none.
     */
    List<Status> of(String repository, String digest);
}
