package dev.quartermaster.ledger;

import dev.quartermaster.common.Platform;

/** The ledger's composition root: its store on the platform's table, one per container. */
public final class LedgerRoot {
    private LedgerRoot() {}

    public static LedgerStore store(Platform p) {
        return p.shared(LedgerStore.class, x -> new DynamoDbLedgerStore(x.dynamoDb(), x.table()));
    }
}
