package dev.quartermaster.backup;

import dev.quartermaster.common.Text;
import dev.quartermaster.release.DatabaseReturn;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * After a failed release whose hosts are all back on the previous digest: if the schema changed
 * during the release (a migration ran: an afterSwitch hook, the new image's own upgrade), restore
 * the release's restore point through the safe swap, so the previous image finds the schema it was
 * built for. Nothing else wrote to the database in between that an operator would miss: the release
 * window ran from the restore point to this rollback. Unchanged: the database is kept.
 */
public final class SchemaAwareDatabaseReturn implements DatabaseReturn {
    private static final Pattern KEY_DAY =
            Pattern.compile("^backups/[^/]+/([0-9]{4})/([0-9]{2})/([0-9]{2})/");
    private final DatabaseHost host;
    private final BackupStore store;
    private final String database;

    public SchemaAwareDatabaseReturn(DatabaseHost host, BackupStore store, String database) {
        this.host = host;
        this.store = store;
        this.database = database;
    }

    @Override
    public String afterRollback(String restorePointKey) {
        if (restorePointKey == null) {
            return "database kept: the release took no restore point (schema not compared)";
        }
        Optional<SchemaFingerprint> recorded = recorded(store, database, restorePointKey);
        if (recorded.isEmpty()) {
            return "database kept: restore point "
                    + restorePointKey
                    + " recorded no schema fingerprint; compare by hand (bin/qm restore "
                    + restorePointKey
                    + " if a migration ran)";
        }
        SchemaFingerprint live;
        try {
            live = host.liveFingerprint();
        } catch (DatabaseHost.Unavailable e) {
            return "database kept: the live schema could not be read ("
                    + Text.oneLine(String.valueOf(e.getMessage()), 200)
                    + "); if a migration ran, restore "
                    + restorePointKey
                    + " with bin/qm restore";
        }
        if (recorded.get().sameSchemaAs(live)) {
            return "schema unchanged during the release (" + live.describe() + "), database kept";
        }
        String change =
                "the schema changed during the release (db_version "
                        + recorded.get().dbVersionOrNone()
                        + " -> "
                        + live.dbVersionOrNone()
                        + ")";
        try {
            String done = host.restore(restorePointKey);
            return change
                    + ": restored restore point "
                    + restorePointKey
                    + " through the safe swap (nothing else wrote to the database between it and this rollback: "
                    + "the release window; the replaced tables are in qm_prev_"
                    + database
                    + "). "
                    + Text.oneLine(done, 200);
        } catch (DatabaseHost.Unavailable e) {
            return change
                    + " but restoring "
                    + restorePointKey
                    + " FAILED ("
                    + Text.oneLine(String.valueOf(e.getMessage()), 300)
                    + "): the previous image runs over the new schema; the database was not swapped. Restore it with "
                    + "bin/qm restore "
                    + restorePointKey;
        }
    }

    /**
     * The fingerprint a restore point's record holds (the store's record of the backup under that
     * key).
     */
    public static Optional<SchemaFingerprint> recorded(
            BackupStore store, String database, String key) {
        return restorePoint(store, database, key).flatMap(BackupRecord::schema);
    }

    /**
     * The verified backup recorded under {@code key}: read from the day its key names (the day it
     * started: backups/&lt;db&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/...), not the whole history.
     */
    public static Optional<BackupRecord> restorePoint(
            BackupStore store, String database, String key) {
        Matcher day = KEY_DAY.matcher(key);
        Instant since = null;
        if (day.find()) {
            try {
                String ymd = day.group(1) + "-" + day.group(2) + "-" + day.group(3);
                since = LocalDate.parse(ymd).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeException e) {
                since = null; // not a date: read the whole history
            }
        }
        return store.list(BackupRecord.Kind.BACKUP, database, since).stream()
                .filter(b -> key.equals(b.key()) && b.status() == BackupRecord.Status.VERIFIED)
                .findFirst();
    }
}
