package dev.quartermaster.replication;

class InMemoryReplicaStoreTest extends ReplicaStoreContract {
    private final InMemoryReplicaStore store = new InMemoryReplicaStore();

    @Override
    protected ReplicaStore store() {
        return store;
    }
}
