package dev.quartermaster.cli.release;

import dev.quartermaster.cli.console.Target;
import dev.quartermaster.cli.console.TextTable;
import dev.quartermaster.cli.local.LocalEnvironment;
import dev.quartermaster.cli.local.LocalServices;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Host;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.release.DatabaseReturn;
import dev.quartermaster.release.ReleaseConfig;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoll;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.release.RollRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** bin/qm release, rollback and releases. */
public final class ReleaseCommands {
    private ReleaseCommands() {}

    /**
     * Exit codes: 0 released, 3 rolled back, 4 rollback failed or unknown, 5 refused (gate, busy
     * host, or another release holds the lock), 6 failed with nothing changed, 7 a roll stopped on
     * a failure (--on-failure stop).
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
                    "Put a VERIFIED digest on the app hosts: restore point, pull by digest, switch, prove (digest, health, "
                            + "version inside), roll back by itself on failure. With several app hosts: a rolling release in order, "
                            + "in batches, stopping at the first failure. One release of the app at a time (a lock). "
                            + "Exit: 0 released, 3 rolled back, 4 rollback failed, 5 refused, 6 failed (nothing changed), "
                            + "7 roll stopped (--on-failure stop).")
    public static final class Release implements Callable<Integer> {
        @Mixin Target target = new Target();

        @Parameters(
                index = "0",
                arity = "0..1",
                description = "REPO:TAG or REPO@sha256:<hex> (none with --resume)")
        String reference;

        @Option(
                names = "--force",
                description =
                        "release even if the ledger's verdict is not VERIFIED, or ECR archived the digest and the host still "
                                + "holds it; also breaks a release lock past its deadline (needs --reason; recorded)")
        boolean force;

        @Option(names = "--reason", description = "why the override (recorded with the release)")
        String reason;

        @Option(
                names = "--no-restore-point",
                description = "skip the database backup taken before the switch")
        boolean noRestorePoint;

        @Option(
                names = "--host",
                description = "release to this app host only (default: every app host, rolling)")
        String host;

        @Option(
                names = "--batch",
                description =
                        "how many app hosts switch at once in a rolling release (default: cdk.json releaseBatch, 1)")
        Integer batch;

        @Option(
                names = "--on-failure",
                description =
                        "rollback (default): the hosts switched before a failing one go back to their previous digest, "
                                + "each proven; stop: they are left (the site is mixed until --resume or rollback)")
        String onFailure = "rollback";

        @Option(
                names = "--resume",
                description =
                        "continue the recorded unfinished roll from its first host not switched (same digest and "
                                + "restore point), taking over its lock")
        boolean resume;

        @Override
        public Integer call() {
            if (force && (reason == null || reason.isBlank())) {
                System.err.println(
                        "qm release: --force needs --reason TEXT (the override is recorded with the release)");
                return 2;
            }
            RollRecord.OnFailure mode;
            try {
                mode = RollRecord.OnFailure.valueOf(onFailure.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                System.err.println(
                        "qm release: --on-failure is rollback or stop, not " + onFailure);
                return 2;
            }
            if (resume == (reference != null)) {
                System.err.println(
                        resume
                                ? "qm release: --resume continues the recorded roll: name no reference"
                                : "qm release: name REPO:TAG or REPO@sha256:<hex> (or --resume)");
                return 2;
            }
            if (batch != null && batch < 1) {
                System.err.println("qm release: --batch must be at least 1");
                return 2;
            }
            String why = force ? reason : null;
            try (ReleaseContext c = ReleaseContext.open(target, !noRestorePoint, System.out)) {
                String who = ReleaseContext.who(target, c.platform);
                String app = c.service.config().app();
                ReleaseRoll roll = c.roll(System.out);
                if (resume) {
                    return report(roll.resume(app, who, why), "release");
                }
                List<String> hosts = c.service.config().hosts().stream().map(Host::name).toList();
                if (host != null || hosts.size() == 1) {
                    c.ensureLocalSite(reference, why, host, System.out);
                    return roll.locked(
                            app,
                            who,
                            why,
                            () ->
                                    exitCode(
                                            c.flow.release(
                                                    reference,
                                                    why,
                                                    ReleaseRecord.Kind.RELEASE,
                                                    who,
                                                    host)));
                }
                c.ensureLocalSite(reference, why, hosts.get(0), System.out);
                return report(
                        roll.run(
                                new ReleaseRoll.Request(
                                        app,
                                        reference,
                                        hosts,
                                        batch != null ? batch : c.batch,
                                        mode,
                                        who,
                                        why,
                                        why)),
                        "release");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            } catch (ReleaseService.Refused e) {
                System.err.println("qm release: " + e.getMessage());
                return 5;
            }
        }
    }

    /** The roll's last word on stderr when it did not finish well; its exit code. */
    static int report(ReleaseRoll.Result r, String command) {
        if (r.exitCode() != 0) {
            System.err.println("qm " + command + ": " + r.failure());
            r.roll().mixed().ifPresent(m -> System.err.println("qm " + command + ": " + m));
            if (r.roll().database() != null) {
                System.err.println("qm " + command + ": database: " + r.roll().database());
            }
        }
        return r.exitCode();
    }

    @Command(
            name = "rollback",
            description =
                    "Release the previous good digest through the same path (or --to DIGEST), on every app host "
                            + "(or --host); finishes an unfinished roll by returning the hosts it switched. The database's schema is "
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
                        "the app host to roll back (default: every app host; an unfinished roll's hosts go back to where they were before it)")
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
            String why = force ? reason : null;
            try (ReleaseContext c =
                    ReleaseContext.open(target, !noRestorePoint && !withDatabase, System.out)) {
                String repo = c.service.config().repository();
                String appName = c.service.config().app();
                if (app != null && !app.equals(appName)) {
                    System.err.println(
                            "qm rollback: this stack releases " + appName + ", not " + app);
                    return 2;
                }
                String who = ReleaseContext.who(target, c.platform);
                c.databaseReturn = unfinishedRollReturn(c.databaseReturn, keepDatabase);
                ReleaseRoll roll = c.roll(System.out);
                List<String> hosts = c.service.config().hosts().stream().map(Host::name).toList();
                if (host == null && to == null && roll.unfinished(appName).isPresent()) {
                    // a roll left half-way: every host it switched goes back, then the database
                    return report(roll.rollback(appName, who, why), "rollback");
                }
                List<String> targets = host != null ? List.of(host) : hosts;
                Map<String, String> digests = new LinkedHashMap<>();
                for (String h : targets) {
                    String digest =
                            to != null
                                    ? to
                                    : c.service
                                            .previousGood(h)
                                            .map(ReleaseRecord::running)
                                            .orElse(null);
                    if (digest == null) {
                        System.err.println(
                                "qm rollback: no earlier good release to return to on "
                                        + h
                                        + " (bin/qm releases --host "
                                        + h
                                        + "); name one with --to sha256:…");
                        return 5;
                    }
                    digests.put(h, digest);
                }
                if (targets.size() == 1) {
                    String h = targets.get(0);
                    return roll.locked(
                            appName,
                            who,
                            why,
                            () -> {
                                int db = database(c, h, digests.get(h), who);
                                return db != 0
                                        ? db
                                        : exitCode(
                                                c.flow.release(
                                                        repo + "@" + digests.get(h),
                                                        why,
                                                        ReleaseRecord.Kind.ROLLBACK,
                                                        who,
                                                        host));
                            });
                }
                // every app host back to its own previous digest, one restore point, in order;
                // the first that fails stops the rest
                return roll.locked(
                        appName,
                        who,
                        why,
                        targets.size(),
                        () -> {
                            String first = targets.get(0);
                            int db = database(c, first, digests.get(first), who);
                            if (db != 0) {
                                return db;
                            }
                            ReleaseRoll.Hosts port = c.flow.hosts();
                            String key = port.restorePoint();
                            int worst = 0;
                            for (String h : targets) {
                                ReleaseRecord r =
                                        port.await(
                                                port.start(
                                                        port.plan(
                                                                repo + "@" + digests.get(h),
                                                                why,
                                                                h),
                                                        key,
                                                        who,
                                                        ReleaseRecord.Kind.ROLLBACK));
                                System.out.printf(
                                        "%s: %s now runs %s%n",
                                        r.status(),
                                        h,
                                        r.running() == null
                                                ? "unknown"
                                                : r.running().substring(0, 19));
                                worst = Math.max(worst, exitCode(r));
                                if (r.status() != ReleaseRecord.Status.RELEASED) {
                                    System.err.println(
                                            "qm rollback: "
                                                    + h
                                                    + " ended "
                                                    + r.status()
                                                    + ": "
                                                    + r.reason()
                                                    + "; the hosts after it were not touched");
                                    break;
                                }
                            }
                            return worst;
                        });
            } catch (ReleaseService.Refused e) {
                System.err.println("qm rollback: " + e.getMessage());
                return 5;
            }
        }

        /**
         * What returning an unfinished roll does about the database: the schema decides (the
         * automatic return), unless the operator said --keep-database, which is then obeyed and
         * recorded rather than silently overridden by a restore.
         */
        static DatabaseReturn unfinishedRollReturn(DatabaseReturn automatic, boolean keepDatabase) {
            if (!keepDatabase) {
                return automatic;
            }
            return key ->
                    "database kept as it is (--keep-database): not compared with restore point "
                            + (key == null ? "none" : key)
                            + ", nothing restored";
        }

        /**
         * The database side before any image goes back, under the release lock: 0 when the image
         * may go back, otherwise the exit code (refused 5, the database side failed 6).
         */
        private int database(ReleaseContext c, String firstHost, String digest, String who) {
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
                                    firstHost,
                                    digest,
                                    withDatabase
                                            ? dev.quartermaster.backup.SchemaDecision.Choice
                                                    .WITH_DATABASE
                                            : keepDatabase
                                                    ? dev.quartermaster.backup.SchemaDecision.Choice
                                                            .KEEP_DATABASE
                                                    : dev.quartermaster.backup.SchemaDecision.Choice
                                                            .COMPARE,
                                    who);
                } catch (DatabaseRollback.Failed e) {
                    System.err.println("qm rollback: " + e.getMessage());
                    return 6;
                }
                if (!db.proceed()) {
                    System.err.println("qm rollback: " + db.line());
                    return 5;
                }
            }
            return 0;
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

        @Option(names = "--host", description = "the app host (default: every app host)")
        String host;

        @Option(
                names = "--rolls",
                description =
                        "the rolling releases instead: each host's state (pending, switched, failed, returned), mixed or not")
        boolean showRolls;

        @Override
        public Integer call() throws Exception {
            boolean json = target.json();
            List<ReleaseRecord> records = new java.util.ArrayList<>();
            List<RollRecord> rolls;
            if (target.aws) {
                Platform p = target.awsPlatform();
                ReleaseConfig config = ReleaseConfig.from(p.settings());
                String a = app != null ? app : config.app();
                for (String h : hostNames(config, host)) {
                    records.addAll(ReleaseRoot.store(p).list(a, h));
                }
                rolls = ReleaseRoot.rolls(p).rolls(a, showRolls ? 20 : 1);
            } else {
                try (LocalEnvironment local = target.local()) {
                    Platform p = LocalServices.platform(local, System.err);
                    ReleaseConfig config = ReleaseConfig.from(Settings.of(local.releaseSettings()));
                    String a = app != null ? app : config.app();
                    for (String h : hostNames(config, host)) {
                        records.addAll(ReleaseRoot.store(p).list(a, h));
                    }
                    rolls = ReleaseRoot.rolls(p).rolls(a, showRolls ? 20 : 1);
                }
            }
            if (showRolls) {
                return printRolls(rolls, json);
            }
            records.sort(
                    java.util.Comparator.comparing(ReleaseRecord::requestedAt)
                            .thenComparing(ReleaseRecord::commandId)
                            .reversed());
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
            rolls.stream().findFirst().ifPresent(r -> System.out.println(rollLine(r)));
            if (records.isEmpty()) {
                System.out.println("no releases recorded");
                return 0;
            }
            TextTable t =
                    new TextTable(
                            "REQUESTED",
                            "HOST",
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
                                    r.host(),
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

    /** The named host, or every app host. */
    private static List<String> hostNames(ReleaseConfig config, String host) {
        return host != null
                ? List.of(config.host(host).name())
                : config.hosts().stream().map(Host::name).toList();
    }

    /**
     * One line for a roll: its state, which host runs what when mixed, and how to finish it when it
     * did not.
     */
    static String rollLine(RollRecord r) {
        StringBuilder b =
                new StringBuilder("newest roll ")
                        .append(r.rollId())
                        .append(" (")
                        .append(r.repository())
                        .append(r.tag() == null ? "" : ":" + r.tag())
                        .append(", by ")
                        .append(r.requestedBy())
                        .append(", ")
                        .append(r.startedAt())
                        .append("): ")
                        .append(r.status());
        for (RollRecord.HostStep h : r.hosts()) {
            b.append("; ").append(h.host()).append(" ").append(h.state().name().toLowerCase());
        }
        r.mixed().ifPresent(m -> b.append("\n  ").append(m));
        if (r.reason() != null) {
            b.append("\n  ").append(r.reason());
        }
        if (!r.status().finished()) {
            b.append(
                    "\n  unfinished: bin/qm release --resume continues it, bin/qm rollback returns every host");
        }
        return b.toString();
    }

    private static int printRolls(List<RollRecord> rolls, boolean json) throws Exception {
        if (json) {
            System.out.println(
                    EventParser.JSON
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(rolls.stream().map(RollRecord::details).toList()));
            return 0;
        }
        if (rolls.isEmpty()) {
            System.out.println("no rolls recorded");
            return 0;
        }
        rolls.forEach(r -> System.out.println(rollLine(r)));
        return 0;
    }
}
