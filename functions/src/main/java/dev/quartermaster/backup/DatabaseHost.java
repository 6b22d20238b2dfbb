package dev.quartermaster.backup;

/**
 * The database host, for what a database-aware rollback asks of it: the live schema's fingerprint
 * (read-only) and a restore of a committed backup through the safe swap (backup-restore.sh: proven
 * in a scratch database first, then one RENAME TABLE; the replaced tables stay in
 * qm_prev_&lt;db&gt;). SSM Run Command in AWS, the local agent in bin/qm, an in-memory twin in
 * tests.
 */
public interface DatabaseHost {
    /**
     * @throws Unavailable when the host did not answer with a fingerprint
     */
    SchemaFingerprint liveFingerprint();

    /**
     * Restores the committed backup {@code key} over the live database through the safe swap.
     *
     * @return the restore's own summary line (tables, rows)
     * @throws Unavailable when it failed: before the swap the live database is untouched
     */
    String restore(String key);

    /** The host did not do what was asked; its message says what it printed. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }
}
