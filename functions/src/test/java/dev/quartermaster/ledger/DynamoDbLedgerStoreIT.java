package dev.quartermaster.ledger;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/** The ledger contract on the DynamoDB store, against DynamoDB Local: integration tier. */
class DynamoDbLedgerStoreIT extends LedgerStoreContract {
    @Override
    protected LedgerStore newStore() {
        return LedgerRoot.store(
                LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));
    }
}
