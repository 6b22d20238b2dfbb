package dev.quartermaster.release;

class InMemoryReleaseStoreTest extends ReleaseStoreContract {
    private final InMemoryReleaseStore store = new InMemoryReleaseStore();

    @Override
    protected ReleaseStore store() {
        return store;
    }
}
