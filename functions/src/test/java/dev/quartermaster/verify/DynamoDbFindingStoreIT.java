package dev.quartermaster.verify;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/**
 * The finding store on DynamoDB Local (conditional put on updatedMs, ALL_OLD), against its twin's
 * contract.
 */
class DynamoDbFindingStoreIT extends FindingStoreContract {
    private final FindingStore store;

    DynamoDbFindingStoreIT() {
        var p = LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts());
        store = new DynamoDbFindingStore(p.dynamoDb(), p.table());
    }

    @Override
    protected FindingStore store() {
        return store;
    }
}
