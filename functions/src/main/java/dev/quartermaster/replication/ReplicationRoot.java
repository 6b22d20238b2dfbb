package dev.quartermaster.replication;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.registry.RegistryRoot;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The replication proof's composition root: what image-replication and bin/qm replicate are built from. */
public final class ReplicationRoot {
    private ReplicationRoot() {
    }

    public static ReplicationService service(Platform p) {
        return service(p, status(p));
    }

    /** Where late replicas are checked: ECR's DescribeImageReplicationStatus, unless the platform replaces it (the destination registries locally). */
    public static ReplicationStatus status(Platform p) {
        return p.shared(ReplicationStatus.class, q -> new EcrReplicationStatus(RegistryRoot.ecr(q)));
    }

    /** With another status source (a test's, or none locally: there is no ECR to ask). */
    public static ReplicationService service(Platform p, ReplicationStatus status) {
        Settings s = p.settings();
        return new ReplicationService(destinations(s), repositories(s), Duration.ofMinutes(s.getInt(Setting.REPLICATION_DEADLINE_MINUTES)),
                store(p), status, p.alerts(), Clock.systemUTC());
    }

    public static ReplicaStore store(Platform p) {
        return new DynamoDbReplicaStore(p.dynamoDb(), p.table());
    }

    /** The destinations; a missing account is this account's (EXPECTED_ACCOUNT), or a placeholder locally. */
    public static List<Destination> destinations(Settings s) {
        String home = s.get(Setting.EXPECTED_ACCOUNT);
        return Destination.parseList(s.get(Setting.REPLICATION_DESTINATIONS), home == null || home.isBlank() ? "000000000000" : home);
    }

    static List<String> repositories(Settings s) {
        return repositories(s.get(Setting.REPLICATION_REPOSITORIES));
    }

    /** REPLICATION_REPOSITORIES: a JSON list of repository names, each checked. */
    public static List<String> repositories(String json) {
        try {
            var list = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json,
                    new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
            list.forEach(dev.quartermaster.events.Validation::repository);
            return List.copyOf(list);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("REPLICATION_REPOSITORIES must be a JSON list of repository names: " + e.getMessage());
        }
    }
}
