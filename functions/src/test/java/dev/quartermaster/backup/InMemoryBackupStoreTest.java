package dev.quartermaster.backup;

/** The twin against the contract its DynamoDB original meets. */
class InMemoryBackupStoreTest extends BackupStoreContract {
    private final BackupStore store = new InMemoryBackupStore();

    @Override
    protected BackupStore store() {
        return store;
    }
}
