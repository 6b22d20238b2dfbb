package dev.quartermaster.release;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/** What the lifecycle guard heard, on DynamoDB Local, against the same contract as its in-memory twin. */
class DynamoDbLifecycleHearingIT extends LifecycleHearingContract {
    private final LifecycleHearing hearing = ReleaseRoot.hearing(LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected LifecycleHearing hearing() {
        return hearing;
    }
}
