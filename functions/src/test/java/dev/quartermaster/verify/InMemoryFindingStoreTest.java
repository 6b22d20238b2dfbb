package dev.quartermaster.verify;

class InMemoryFindingStoreTest extends FindingStoreContract {
    private final InMemoryFindingStore store = new InMemoryFindingStore();

    @Override
    protected FindingStore store() {
        return store;
    }
}
