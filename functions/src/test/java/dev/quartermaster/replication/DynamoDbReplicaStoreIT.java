package dev.quartermaster.replication;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/**
 * The replica store on DynamoDB Local (transactions, conditions, the due list's key order), against
 * its twin's contract.
 */
class DynamoDbReplicaStoreIT extends ReplicaStoreContract {
    private final ReplicaStore store =
            ReplicationRoot.store(
                    LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected ReplicaStore store() {
        return store;
    }
}
