package dev.quartermaster.release;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/**
 * The release lock and the rolls on DynamoDB Local (its conditional writes), against the same
 * contract as the in-memory twin.
 */
class DynamoDbRollStoreIT extends RollStoreContract {
    private final RollStore store =
            ReleaseRoot.rolls(
                    LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected RollStore store() {
        return store;
    }
}
