package dev.quartermaster.cli.release;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** bin/qm release, rollback and releases. */
public final class ReleaseCommands {
    private ReleaseCommands() {}

    /**
     * Exit codes: 0 released, 3 rolled back, 4 rollback failed or unknown, 5 refused (gate or busy
     * host), 6 failed with nothing changed.
     */
    static int exitCode(ReleaseRecord r) {
        return switch (r.status()) {
            case RELEASED -> 0;
            case ROLLED_BACK -> 3;
            case REFUSED -> 5;
            case FAILED -> 6;
            default -> 4;
        };
    }

    @Command(
            name = "release",
            description =
                    "Put a VERIFIED digest on the host: restore point, pull by digest, switch, prove (digest, health, "
                            + "version inside), roll back by itself on failure. Exit: 0 released, 3 rolled back, 4 rollback failed, 5 refused, 6 failed (nothing changed).")
    public static final class Release implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(index = "0", description = "REPO:TAG or REPO@sha256:<hex>")
        String reference;

        @Option(
                names = "--force",
                description =
                        "release even if the ledger's verdict is not VERIFIED, or ECR archived the digest and the host still "
                                + "holds it (needs --reason; recorded)")
        boolean force;

        @Option(names = "--reason", description = "why the override (recorded with the release)")
        String reason;

        @Option(
                names = "--no-restore-point",
                description = "skip the database backup taken before the switch")
        boolean noRestorePoint;

        @Option(
                names = "--host",
                description =
                        "the app host to release to (default: the only one; required when there are several)")
        String host;

        @Override
        public Integer call() {
            if (force && (reason == null || reason.isBlank())) {
                System.err.println(
                        "qm release: --force needs --reason TEXT (the override is recorded with the release)");
                return 2;
            }
            try (ReleaseContext c = ReleaseContext.open(target, !noRestorePoint, System.out)) {
                c.ensureLocalSite(reference, force ? reason : null, host, System.out);
                return exitCode(
                        c.flow.release(
                                reference,
                                force ? reason : null,
                                ReleaseRecord.Kind.RELEASE,
                                ReleaseContext.who(target, c.platform),
                                host));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (ReleaseService.Refused e) {
                System.err.println("qm release: " + e.getMessage());
                return 5;
            }
        }
    }

    @Command(
            name = "rollback",
            description =
                    "Release the previous good digest through the same path (or --to DIGEST). The database's schema is "
                            + "compared with the one the restore point of what runs now recorded: unchanged, the image goes back "
                            + "alone; changed, the rollback is refused (exit 5) unless --with-database or --keep-database.")
    public static final class Rollback implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(
                index = "0",
                arity = "0..1",
                description = "app (default: the stack's release repository)")
        String app;

        @Option(
                names = "--to",
                description =
                        "sha256:<hex> to return to (default: the release before the current one)")
        String to;

        @Option(
                names = "--no-restore-point",
                description = "skip the database backup taken before the switch")
        boolean noRestorePoint;

        @Option(
                names = "--force",
                description =
                        "return even to a digest the ledger says was deleted from the registry or archived by ECR "
                                + "(the host's own copy; needs --reason; recorded)")
        boolean force;

        @Option(names = "--reason", description = "why the override (recorded with the rollback)")
        String reason;

        @Option(
                names = "--host",
                description =
                        "the app host to roll back (default: the only one; required when there are several)")
        String host;

        @Option(
                names = "--with-database",
                description =
                        "when the schema changed: take a new restore point of the live database, restore the restore point "
                                + "of what runs now (safe swap), then switch the image back; data written since that restore "
                                + "point leaves the live database (kept in the new restore point)")
        boolean withDatabase;

        @Option(
                names = "--keep-database",
                description =
                        "when the schema changed: switch the image back over it and keep the database as it is (recorded)")
        boolean keepDatabase;

        @Override
        public Integer call() {
            if (force && (reason == null || reason.isBlank())) {
                System.err.println(
                        "qm rollback: --force needs --reason TEXT (the override is recorded with the rollback)");
                return 2;
            }
            if (withDatabase && keepDatabase) {
                System.err.println(
                        "qm rollback: --with-database and --keep-database exclude each other");
                return 2;
            }
            if (withDatabase && noRestorePoint) {
                System.err.println(
                        "qm rollback: --with-database takes a restore point of the live database before it restores; "
                                + "it cannot go with --no-restore-point");
                return 2;
            }
            // --with-database takes its own restore point (of the database it replaces), before the
            // restore: the image's switch then needs none
            try (ReleaseContext c =
                    ReleaseContext.open(target, !noRestorePoint && !withDatabase, System.out)) {
                String repo = c.service.config().repository();
                if (app != null && !app.equals(c.service.config().app())) {
                    System.err.println(
                            "qm rollback: this stack releases "
                                    + c.service.config().app()
                                    + ", not "
                                    + app);
                    return 2;
                }
                String digest =
                        to != null
                                ? to
                                : c.service
                                        .previousGood(host)
                                        .map(ReleaseRecord::running)
                                        .orElse(null);
                if (digest == null) {
                    System.err.println(
                            "qm rollback: no earlier good release to return to (bin/qm releases); name one with --to sha256:…");
                    return 5;
                }
                if (c.database == null) {
                    if (!keepDatabase) {
                        System.err.println(
                                "qm rollback: REFUSED: no backup settings, so the schema cannot be compared with the "
                                        + "restore point's; nothing was changed (--keep-database rolls the image back regardless)");
                        return 5;
                    }
                } else {
                    DatabaseRollback.Prepared db;
                    try {
                        db =
                                c.database.prepare(
                                        c.service,
                                        host,
                                        digest,
                                        withDatabase
                                                ? dev.quartermaster.backup.SchemaDecision.Choice
                                                        .WITH_DATABASE
                                                : keepDatabase
                                                        ? dev.quartermaster.backup.SchemaDecision
                                                                .Choice.KEEP_DATABASE
                                                        : dev.quartermaster.backup.SchemaDecision
                                                                .Choice.COMPARE,
                                        ReleaseContext.who(target, c.platform));
                    } catch (DatabaseRollback.Failed e) {
                        System.err.println("qm rollback: " + e.getMessage());
                        return 6;
                    }
                    if (!db.proceed()) {
                        System.err.println("qm rollback: " + db.line());
                        return 5;
                    }
                }
                return exitCode(
                        c.flow.release(
                                repo + "@" + digest,
                                force ? reason : null,
                                ReleaseRecord.Kind.ROLLBACK,
                                ReleaseContext.who(target, c.platform),
                                host));
            } catch (ReleaseService.Refused e) {
                System.err.println("qm rollback: " + e.getMessage());
                return 5;
            }
        }
    }

    @Command(
            name = "releases",
            description =
                    "Release history: from -> to digest, tag, who, when, result, restore point, override reason.")
    public static final class History implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(
                index = "0",
                arity = "0..1",
                description = "app (default: the stack's release repository)")
        String app;

        @Option(names = "--checks", description = "include the hourly drift checks")
        boolean checks;

        @Option(
                names = "--host",
                description =
                        "the app host (default: the only one; required when there are several)")
        String host;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            List<ReleaseRecord> records;
            if (target.aws) {
                Platform p = target.awsPlatform();
                ReleaseConfig config = ReleaseConfig.from(p.settings());
                records =
                        ReleaseRoot.store(p)
                                .list(app != null ? app : config.app(), config.host(host).name());
            } else {
                try (LocalEnvironment local = target.local()) {
                    Platform p = LocalServices.platform(local, System.err);
                    ReleaseConfig config = ReleaseConfig.from(Settings.of(local.releaseSettings()));
                    records =
                            ReleaseRoot.store(p)
                                    .list(
                                            app != null ? app : config.app(),
                                            config.host(host).name());
                }
            }
            records =
                    records.stream()
                            .filter(r -> checks || r.kind() != ReleaseRecord.Kind.CHECK)
                            .toList();
            if (json) {
                System.out.println(
                        EventParser.JSON
                                .writerWithDefaultPrettyPrinter()
                                .writeValueAsString(records));
                return 0;
            }
            if (records.isEmpty()) {
                System.out.println("no releases recorded");
                return 0;
            }
            TextTable t =
                    new TextTable(
                            "REQUESTED",
                            "KIND",
                            "RESULT",
                            "TAG",
                            "FROM",
                            "TO",
                            "RUNNING",
                            "VERSION",
                            "BY",
                            "RESTORE POINT",
                            "REASON");
            records.forEach(
                    r ->
                            t.row(
                                    r.requestedAt(),
                                    r.kind(),
                                    r.status(),
                                    r.tag() == null ? "-" : r.tag(),
                                    TextTable.shortDigest(r.fromDigest()),
                                    TextTable.shortDigest(r.toDigest()),
                                    TextTable.shortDigest(r.running()),
                                    r.runningVersion(),
                                    r.requestedBy(),
                                    r.restorePoint() == null ? "-" : r.restorePoint(),
                                    (r.overrideReason() == null
                                                    ? ""
                                                    : "FORCED: " + r.overrideReason() + "; ")
                                            + (r.reason() == null ? "" : r.reason())));
            t.print(System.out, "");
            return 0;
        }
    }
}
