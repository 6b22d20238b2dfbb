package dev.quartermaster.release;

import dev.quartermaster.testutils.LocalLedger;
import dev.quartermaster.testutils.RecordingAlerts;

/**
 * The rolling release's scenarios with the lock, the roll records and the release history on
 * DynamoDB Local (its conditional writes), the hosts still a fake per name.
 */
class DynamoDbReleaseRollIT extends ReleaseRollTest {
    @Override
    protected Object newStore() {
        return ReleaseRoot.rolls(
                LocalLedger.platform(LocalLedger.freshTableSettings(), new RecordingAlerts()));
    }
}
