package dev.quartermaster.release;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/** The release store on DynamoDB Local, against the same contract as its in-memory twin. */
class DynamoDbReleaseStoreIT extends ReleaseStoreContract {
    private final ReleaseStore store =
            ReleaseRoot.store(
                    LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected ReleaseStore store() {
        return store;
    }
}
