package dev.quartermaster.release;

/**
 * What a failed or rolled-back release does about the database (the image is the host's business).
 */
public interface DatabaseReturn {
    /** Does nothing and says so. */
    DatabaseReturn NONE = restorePointKey -> null;

    /**
     * Called once after every switched host of a failed release is back on its previous digest.
     *
     * @param restorePointKey the release's restore point (the backup key), may be null (no restore
     *     point)
     * @return one line for the release record and the operator (what was done to the database and
     *     why), or null when nothing
     */
    String afterRollback(String restorePointKey);
}
