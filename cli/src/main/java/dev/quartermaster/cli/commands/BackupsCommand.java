package dev.quartermaster.cli.commands;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.events.EventParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists backups or drills, or shows the latest verified backup. */
@Command(
        name = "backups",
        description =
                "List backups (newest first), the latest verified one, or the restore drills' results.")
public final class BackupsCommand implements Callable<Integer> {
    @Mixin Target target = new Target();

    @Option(
            names = "--database",
            description = "database (default: the stack's DATABASE, or wordpress locally)")
    String database;

    @Option(names = "--latest", description = "only the latest verified backup")
    boolean latest;

    @Option(names = "--drills", description = "restore drills instead of backups")
    boolean drills;

    @Option(
            names = "--since",
            description = "only those started at or after this instant (e.g. 2026-11-01T00:00:00Z)")
    Instant since;

    @Override
    public Integer call() throws Exception {
        boolean json = target.json();
        if (target.aws) {
            var settings = target.awsSettings();
            return show(
                    dev.quartermaster.backup.BackupRoot.store(target.awsPlatform()),
                    database != null
                            ? database
                            : settings.getOrDefault(
                                    dev.quartermaster.contract.Setting.DATABASE.name(),
                                    target.configuration().backups().database()),
                    json);
        }
        try (LocalEnvironment local = target.local()) {
            return show(
                    dev.quartermaster.backup.BackupRoot.store(
                            LocalServices.platform(local, System.err)),
                    database != null ? database : LocalEnvironment.DATABASE,
                    json);
        }
    }

    private int show(BackupStore store, String db, boolean json) throws Exception {
        List<BackupRecord> records;
        if (latest) {
            records = store.latestVerified(db).map(List::of).orElse(List.of());
            if (records.isEmpty()) {
                System.err.println("qm backups: no verified backup of " + db + " yet");
                return 3;
            }
        } else {
            records =
                    store.list(
                            drills ? BackupRecord.Kind.DRILL : BackupRecord.Kind.BACKUP, db, since);
        }
        if (json) {
            System.out.println(
                    EventParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(records));
            return 0;
        }
        if (records.isEmpty()) {
            System.out.println("no " + (drills ? "drills" : "backups") + " of " + db + " recorded");
            return 0;
        }
        TextTable t =
                new TextTable(
                        "STARTED",
                        "STATUS",
                        "KEY",
                        "BYTES",
                        "TABLES",
                        "ROWS",
                        "DB VERSION",
                        "SECONDS",
                        "COMMAND",
                        "ERROR");
        records.forEach(
                r ->
                        t.row(
                                r.startedAt(),
                                r.status(),
                                r.key(),
                                r.bytes(),
                                r.tables(),
                                r.rows(),
                                dbVersion(r),
                                String.format("%.1f", r.durationMs() / 1000.0),
                                r.commandId().length() > 8
                                        ? r.commandId().substring(0, 8)
                                        : r.commandId(),
                                r.error() == null ? "" : r.error()));
        t.print(System.out, "");
        return 0;
    }

    /** The schema's WordPress db_version the backup recorded, or "-" (none recorded). */
    static String dbVersion(BackupRecord r) {
        return r.dbVersion() == null || r.dbVersion().isEmpty() ? "-" : r.dbVersion();
    }
}
