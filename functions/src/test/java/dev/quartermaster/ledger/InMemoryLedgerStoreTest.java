package dev.quartermaster.ledger;

/** The ledger contract on the in-memory twin: unit tier. */
class InMemoryLedgerStoreTest extends LedgerStoreContract {
    @Override
    protected LedgerStore newStore() {
        return new InMemoryLedgerStore();
    }
}
