package dev.quartermaster.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * What a rollback does about the database, decided from the restore point's schema fingerprint and
 * the live one (plain Java: the host was asked before).
 *
 * <ul>
 *   <li>no restore point: image only (nothing to compare with, nothing to restore), said so;
 *   <li>same schema: image only, as before fingerprints (an explicit --with-database is not needed
 *       and is ignored: the data written since stays);
 *   <li>changed, or not comparable (a restore point from before fingerprints): refused unless the
 *       operator chose --with-database (restore the restore point) or --keep-database (image only,
 *       recorded).
 * </ul>
 */
public final class SchemaDecision {
    private SchemaDecision() {}

    /** What the operator asked for. */
    public enum Choice {
        /** Neither flag: decide by the schema, refuse when it changed. */
        COMPARE,
        WITH_DATABASE,
        KEEP_DATABASE
    }

    public enum Action {
        /** Switch the image back; the database stays as it is (its schema did not change). */
        IMAGE_ONLY,
        /** Nothing is done: the schema changed and the operator did not say what to do. */
        REFUSE,
        /** New restore point of the live database, restore the release's one, then the image. */
        RESTORE_DATABASE,
        /** Switch the image back over a changed schema, as the operator chose (recorded). */
        KEEP_DATABASE
    }

    /**
     * @param action what to do
     * @param line one line for the operator and the release record
     */
    public record Outcome(Action action, String line) {}

    /**
     * @param restorePointKey the restore point taken before what runs now was switched in (null:
     *     none was taken)
     * @param recorded its fingerprint (null: none recorded)
     * @param live the live database's
     */
    public static Outcome decide(
            String restorePointKey,
            SchemaFingerprint recorded,
            SchemaFingerprint live,
            Choice choice) {
        if (restorePointKey == null) {
            return choice == Choice.WITH_DATABASE
                    ? new Outcome(
                            Action.REFUSE,
                            "--with-database: the release being rolled back took no restore point, so there is nothing to "
                                    + "restore; nothing was changed (roll back the image with --keep-database, restore a backup "
                                    + "with bin/qm restore)")
                    : new Outcome(
                            Action.IMAGE_ONLY,
                            "database kept: the release being rolled back took no restore point, its schema could not "
                                    + "be compared (live "
                                    + live.describe()
                                    + ")");
        }
        if (recorded != null && recorded.sameSchemaAs(live)) {
            return new Outcome(
                    Action.IMAGE_ONLY,
                    "schema unchanged since restore point "
                            + restorePointKey
                            + " ("
                            + live.describe()
                            + "): database kept"
                            + (choice == Choice.WITH_DATABASE
                                    ? " (--with-database not needed: nothing restored)"
                                    : ""));
        }
        String difference =
                recorded == null
                        ? "restore point "
                                + restorePointKey
                                + " recorded no schema fingerprint (taken before fingerprints), the live "
                                + "schema has "
                                + live.describe()
                        : "the schema changed since restore point "
                                + restorePointKey
                                + ": db_version "
                                + recorded.dbVersionOrNone()
                                + " then, "
                                + live.dbVersionOrNone()
                                + " now (schema "
                                + recorded.fingerprint().substring(0, 12)
                                + " -> "
                                + live.fingerprint().substring(0, 12)
                                + ")";
        return switch (choice) {
            case COMPARE ->
                    new Outcome(
                            Action.REFUSE,
                            "REFUSED: "
                                    + difference
                                    + ". The previous image may not run on this schema. Choose --with-database (new "
                                    + "restore point of the live database, restore "
                                    + restorePointKey
                                    + ", then the image) or --keep-database (the image only, over this schema). "
                                    + "Nothing was changed");
            case WITH_DATABASE ->
                    new Outcome(
                            Action.RESTORE_DATABASE,
                            difference + ": restoring the restore point (--with-database)");
            case KEEP_DATABASE ->
                    new Outcome(
                            Action.KEEP_DATABASE,
                            difference + ": database kept over it, image only (--keep-database)");
        };
    }

    /**
     * What a restore of a restore point taken at {@code restorePointAt} loses, said before it is
     * done.
     */
    public static String loss(
            String database,
            String restorePointKey,
            Instant restorePointAt,
            Instant now,
            String keptIn) {
        return "data written to "
                + database
                + " since "
                + restorePointAt
                + " ("
                + span(Duration.between(restorePointAt, now))
                + " ago, when restore point "
                + restorePointKey
                + " was taken) will be LOST from the live database: posts, comments, orders, users, options. "
                + "It is kept in "
                + keptIn
                + " and, after the swap, in qm_prev_"
                + database;
    }

    /** "2 h 05 min", "3 d 4 h", "45 s" */
    static String span(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 86400) {
            return (s / 3600) + " h " + String.format("%02d", (s % 3600) / 60) + " min";
        }
        return (s / 86400) + " d " + ((s % 86400) / 3600) + " h";
    }
}
