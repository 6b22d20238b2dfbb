package dev.quartermaster.backup;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/** The backup store on DynamoDB Local, against the same contract as its in-memory twin. */
class DynamoDbBackupStoreIT extends BackupStoreContract {
    private final BackupStore store =
            BackupRoot.store(
                    LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected BackupStore store() {
        return store;
    }
}
