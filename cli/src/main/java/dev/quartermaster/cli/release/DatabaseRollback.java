package dev.quartermaster.cli.release;

import dev.quartermaster.backup.BackupConfig;
import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupService;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.backup.DatabaseHost;
import dev.quartermaster.backup.SchemaAwareDatabaseReturn;
import dev.quartermaster.backup.SchemaDecision;
import dev.quartermaster.backup.SchemaFingerprint;
import dev.quartermaster.common.Text;
import dev.quartermaster.release.DatabaseReturn;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.release.ReleaseStore;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * bin/qm rollback's database side: compares the schema the restore point of what runs now recorded
 * with the live one, and does what {@link SchemaDecision} says: nothing (image only), refuse, or,
 * as the operator chose, restore the restore point through the safe swap after a new restore point
 * of the live database (--with-database), or keep the database and record that (--keep-database).
 * The image goes back afterwards, through the release flow as always.
 */
public final class DatabaseRollback {
    private final DatabaseHost host;
    private final BackupService backups;
    private final BackupStore backupStore;
    private final BackupConfig config;
    private final ReleaseStore releases;
    private final ReleaseFlow.Completion completion;
    private final PrintStream out;
    private final Clock clock;

    DatabaseRollback(
            DatabaseHost host,
            BackupService backups,
            BackupStore backupStore,
            BackupConfig config,
            ReleaseStore releases,
            ReleaseFlow.Completion completion,
            PrintStream out,
            Clock clock) {
        this.host = host;
        this.backups = backups;
        this.backupStore = backupStore;
        this.config = config;
        this.releases = releases;
        this.completion = completion;
        this.out = out;
        this.clock = clock;
    }

    /**
     * What a failed roll does about the database (coord.md's {@link DatabaseReturn}): the schema
     * decides, through the same host.
     */
    public DatabaseReturn automatic() {
        return new SchemaAwareDatabaseReturn(host, backupStore, config.database());
    }

    /** What the database side did, before the image goes back. */
    public record Prepared(SchemaDecision.Action action, String line, String restorePoint) {
        /** The image may go back. */
        public boolean proceed() {
            return action != SchemaDecision.Action.REFUSE;
        }
    }

    /** The database side failed: nothing was switched (and the database is as the line says). */
    public static final class Failed extends RuntimeException {
        public Failed(String message) {
            super(message);
        }
    }

    /**
     * @param service the release service (what runs now on {@code hostName}, its restore point)
     * @param hostName the app host being rolled back (null: the only one)
     * @param toDigest where the image goes back to (recorded)
     * @param who who asks (recorded)
     */
    public Prepared prepare(
            ReleaseService service,
            String hostName,
            String toDigest,
            SchemaDecision.Choice choice,
            String who) {
        Optional<ReleaseRecord> current = service.lastGood(hostName);
        String key = current.map(ReleaseRecord::restorePoint).orElse(null);
        SchemaFingerprint live;
        try {
            live = host.liveFingerprint();
        } catch (DatabaseHost.Unavailable e) {
            String why = Text.oneLine(String.valueOf(e.getMessage()), 300);
            if (choice == SchemaDecision.Choice.KEEP_DATABASE) {
                String line =
                        "the live schema could not be read ("
                                + why
                                + "): database kept, image only (--keep-database)";
                out.println("  database       " + line);
                record(service, hostName, current, toDigest, who, key, line);
                return new Prepared(SchemaDecision.Action.KEEP_DATABASE, line, key);
            }
            String line =
                    "REFUSED: the live schema could not be read ("
                            + why
                            + "), so it cannot be compared with the restore point's. Nothing was changed; "
                            + "--keep-database rolls the image back regardless";
            return new Prepared(SchemaDecision.Action.REFUSE, line, key);
        }
        Optional<BackupRecord> point =
                key == null
                        ? Optional.empty()
                        : SchemaAwareDatabaseReturn.restorePoint(
                                backupStore, config.database(), key);
        SchemaDecision.Outcome o =
                SchemaDecision.decide(
                        key, point.flatMap(BackupRecord::schema).orElse(null), live, choice);
        if (o.action() == SchemaDecision.Action.REFUSE) {
            return new Prepared(o.action(), o.line(), key);
        }
        out.println("  database       " + o.line());
        if (o.action() == SchemaDecision.Action.KEEP_DATABASE) {
            record(service, hostName, current, toDigest, who, key, o.line());
            return new Prepared(o.action(), o.line(), key);
        }
        if (o.action() == SchemaDecision.Action.IMAGE_ONLY) {
            return new Prepared(o.action(), o.line(), key);
        }
        // RESTORE_DATABASE: say what is lost before acting, keep what is replaced, then the swap
        Instant since =
                point.map(BackupRecord::startedAt)
                        .orElse(current.map(ReleaseRecord::requestedAt).orElse(clock.instant()));
        out.println(
                "  database       "
                        + SchemaDecision.loss(
                                config.database(),
                                key,
                                since,
                                clock.instant(),
                                "a new restore point taken now"));
        String kept = newRestorePoint();
        String record =
                o.line()
                        + "; the database as it was is kept in restore point "
                        + kept
                        + " (data written since "
                        + since
                        + " is in it)";
        long t0 = System.nanoTime();
        String done;
        try {
            done = host.restore(key);
        } catch (DatabaseHost.Unavailable e) {
            String line =
                    "restoring "
                            + key
                            + " FAILED before the swap ("
                            + Text.oneLine(String.valueOf(e.getMessage()), 300)
                            + "): the database is untouched and the image was not switched";
            record(service, hostName, current, toDigest, who, kept, record + "; " + line);
            throw new Failed(line);
        }
        out.printf(
                "  %-14s %-6s %6.1f s  %s%n",
                "db-restore", "ok", (System.nanoTime() - t0) / 1e9, Text.oneLine(done, 160));
        String after = "";
        try {
            SchemaFingerprint now = host.liveFingerprint();
            after =
                    point.flatMap(BackupRecord::schema).map(s -> s.sameSchemaAs(now)).orElse(true)
                            ? "; the schema is the restore point's again (" + now.describe() + ")"
                            : "; WARNING: the schema after the restore ("
                                    + now.describe()
                                    + ") is not the restore point's";
        } catch (DatabaseHost.Unavailable e) {
            after = "; the schema after the restore could not be read";
        }
        out.println("  database       restored " + key + after.replaceFirst("^; ", ": "));
        String line =
                record
                        + "; restored "
                        + key
                        + " through the safe swap (replaced tables in qm_prev_"
                        + config.database()
                        + ")"
                        + after
                        + ". If the image cannot go back, return the database with bin/qm restore "
                        + kept;
        record(service, hostName, current, toDigest, who, kept, line);
        return new Prepared(o.action(), line, kept);
    }

    /** A restore point of the live database, verified, before anything is replaced. */
    private String newRestorePoint() {
        long r0 = System.nanoTime();
        BackupRecord started =
                backups.start(
                                "rollback-" + UUID.randomUUID(),
                                clock.instant().truncatedTo(ChronoUnit.SECONDS))
                        .orElseThrow(
                                () ->
                                        new Failed(
                                                "the new restore point could not be started: nothing was changed"));
        Optional<BackupRecord> done =
                completion.await(
                        () -> backupStore.byCommandId(started.commandId()),
                        b -> b.status().terminal(),
                        Duration.ofMinutes(30));
        if (done.isEmpty() || done.get().status() != BackupRecord.Status.VERIFIED) {
            throw new Failed(
                    "the new restore point of the live database was not verified ("
                            + done.map(b -> b.status() + ": " + b.error())
                                    .orElse("not verified in time")
                            + "): nothing was restored or switched");
        }
        out.printf(
                "  %-14s %-6s %6.1f s  %s%n",
                "restore-point", "ok", (System.nanoTime() - r0) / 1e9, done.get().key());
        return done.get().key();
    }

    /**
     * The database decision in the release history, beside the rollback's own record: no digest of
     * its own (it keeps nothing from lifecycle rules), its line as the reason.
     */
    private void record(
            ReleaseService service,
            String hostName,
            Optional<ReleaseRecord> current,
            String toDigest,
            String who,
            String restorePoint,
            String line) {
        Instant now = clock.instant();
        releases.create(
                new ReleaseRecord(
                        service.config().app(),
                        service.config().host(hostName).name(),
                        "database-" + UUID.randomUUID(),
                        ReleaseRecord.Kind.ROLLBACK,
                        ReleaseRecord.Status.SENT,
                        service.config().repository(),
                        null,
                        null,
                        null,
                        null,
                        Text.oneLine(who, 128),
                        now,
                        restorePoint,
                        null,
                        null,
                        null,
                        Text.oneLine(
                                "database: "
                                        + line
                                        + " (rollback from "
                                        + current.map(ReleaseRecord::running).orElse("-")
                                        + " to "
                                        + toDigest
                                        + ")",
                                1500),
                        null,
                        now));
    }
}
