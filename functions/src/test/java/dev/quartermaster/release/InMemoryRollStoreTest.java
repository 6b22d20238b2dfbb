package dev.quartermaster.release;

class InMemoryRollStoreTest extends RollStoreContract {
    private final InMemoryReleaseStore store = new InMemoryReleaseStore();

    @Override
    protected RollStore store() {
        return store;
    }
}
