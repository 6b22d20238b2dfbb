package dev.quartermaster.release;

import java.util.List;
import java.util.Optional;

/**
 * Release history per app and host (DynamoDB: the ledger table; an in-memory twin for unit tests).
 */
public interface ReleaseStore {
    /** Records a RUNNING release; false if the command id is already recorded. */
    boolean create(ReleaseRecord record);

    Optional<ReleaseRecord> byCommandId(String commandId);

    /** Replaces a RUNNING record with its outcome; false if it was settled already. */
    boolean settle(ReleaseRecord outcome);

    /** Newest first: one host's history of the app. */
    List<ReleaseRecord> list(String app, String host);
}
