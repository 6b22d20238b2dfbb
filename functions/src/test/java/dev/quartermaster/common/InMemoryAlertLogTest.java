package dev.quartermaster.common;

class InMemoryAlertLogTest extends AlertLogContract {
    private final InMemoryAlertLog log = new InMemoryAlertLog();

    @Override
    protected AlertLog log() {
        return log;
    }
}
