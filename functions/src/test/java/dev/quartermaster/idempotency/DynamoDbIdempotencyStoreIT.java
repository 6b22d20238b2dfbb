package dev.quartermaster.idempotency;

import dev.quartermaster.testutils.LocalLedger;

/** The contract on the DynamoDB store, against DynamoDB Local. */
class DynamoDbIdempotencyStoreIT extends IdempotencyStoreContract {
    private final IdempotencyStore store =
            IdempotencyRoot.store(
                    LocalLedger.platform(
                            LocalLedger.freshTableSettings(),
                            new dev.quartermaster.testutils.RecordingAlerts()));

    @Override
    protected IdempotencyStore store() {
        return store;
    }
}
