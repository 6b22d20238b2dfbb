package dev.quartermaster.lifecycle;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/**
 * What the lifecycle guard heard, on DynamoDB Local, against the same contract as its in-memory
 * twin.
 */
class DynamoDbLifecycleHearingIT extends LifecycleHearingContract {
    private final LifecycleHearing hearing =
            LifecycleRoot.hearing(
                    LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));

    @Override
    protected LifecycleHearing hearing() {
        return hearing;
    }
}
