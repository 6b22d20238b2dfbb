package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.cli.release.ReleaseContext;
import dev.quartermaster.common.Alert;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.ledger.StorageClass;
import dev.quartermaster.lifecycle.LifecycleHearing;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.release.ReleaseStore;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bin/qm status: one screen of what an operator asks every morning, from the stores the functions
 * write (local, or the deployed stack's). Each thing that needs attention is a problem; {@link
 * Status#healthy()} is the exit status.
 */
public final class StatusView {
    static final String SPARKS = "▁▂▃▄▅▆▇█";
    static final int WEEK_DAYS = 7;

    /** How many of the alert log's newest windows status shows. */
    static final int LAST_ALERTS = 8;

    private StatusView() {}

    /** Everything shown, as JSON prints it. {@code problems} empty: all is well. */
    public record Status(
            Map<String, Object> app,
            Map<String, Object> backups,
            Map<String, Object> images,
            Map<String, Object> archive,
            Map<String, Object> pipeline,
            List<String> alerts,
            List<String> problems) {
        public boolean healthy() {
            return problems.isEmpty();
        }
    }

    /**
     * @param alerts the last alerts (local: the alert file; null where they cannot be read back,
     *     SNS in AWS)
     * @param deadLetters the events no function could handle
     */
    public static Status collect(
            ReleaseService releases,
            ReleaseStore releaseStore,
            BackupStore backupStore,
            LedgerStore ledger,
            String database,
            int maxBackupAgeHours,
            List<Alert> alerts,
            DeadLetters deadLetters,
            Instant now) {
        return collect(
                releases,
                releaseStore,
                backupStore,
                ledger,
                new Guard(List.of(), r -> null, r -> null),
                database,
                maxBackupAgeHours,
                alerts,
                deadLetters,
                now);
    }

    /**
     * The lifecycle guard's side: the managed repositories, what it heard of each, when each one's
     * lifecycle policy ran.
     */
    public record Guard(
            List<String> repositories,
            LifecycleHearing.PolicyRuns runs,
            java.util.function.Function<String, Instant> heard) {
        public static Guard of(
                List<String> repositories,
                LifecycleHearing.PolicyRuns runs,
                LifecycleHearing hearing) {
            return new Guard(repositories, runs, hearing::lastHeard);
        }
    }

    /**
     * @param guard the lifecycle guard's coverage (no repositories: not shown)
     */
    public static Status collect(
            ReleaseService releases,
            ReleaseStore releaseStore,
            BackupStore backupStore,
            LedgerStore ledger,
            Guard guard,
            String database,
            int maxBackupAgeHours,
            List<Alert> alerts,
            DeadLetters deadLetters,
            Instant now) {
        return collect(
                releases,
                releaseStore,
                backupStore,
                ledger,
                guard,
                database,
                maxBackupAgeHours,
                Attention.Sources.none(),
                alerts,
                deadLetters,
                now);
    }

    /**
     * @param sources the replicas, Inspector's findings, the signature policy and the alert log
     *     (its last alerts; nothing else records a lifecycle loss)
     */
    public static Status collect(
            ReleaseService releases,
            ReleaseStore releaseStore,
            BackupStore backupStore,
            LedgerStore ledger,
            Guard guard,
            String database,
            int maxBackupAgeHours,
            Attention.Sources sources,
            DeadLetters deadLetters,
            Instant now) {
        return collect(
                releases,
                releaseStore,
                backupStore,
                ledger,
                guard,
                database,
                maxBackupAgeHours,
                sources,
                null,
                deadLetters,
                now);
    }

    private static Status collect(
            ReleaseService releases,
            ReleaseStore releaseStore,
            BackupStore backupStore,
            LedgerStore ledger,
            Guard guard,
            String database,
            int maxBackupAgeHours,
            Attention.Sources sources,
            List<Alert> alerts,
            DeadLetters deadLetters,
            Instant now) {
        List<String> problems = new ArrayList<>();
        Map<String, ReleaseRecord> runningByHost = new LinkedHashMap<>();
        Map<String, Object> app = new LinkedHashMap<>();
        for (var host : releases.config().hosts()) {
            Map<String, Object> h = new LinkedHashMap<>();
            var history =
                    releaseStore.list(
                            releases.config().app(),
                            host.name()); // one read: the release, the checks, the outcome
            var last = ReleaseService.lastGoodIn(history);
            if (last.isEmpty()) {
                h.put("running", "no release recorded yet");
            } else {
                ReleaseRecord r = last.get();
                runningByHost.put(host.name(), r);
                h.put("running", r.running());
                h.put("tag", r.tag());
                h.put("version", r.runningVersion());
                h.put("since", r.finishedAt());
                h.put("releasedBy", r.requestedBy());
                h.put("outcome", r.status().name());
                if (r.restorePoint() != null) {
                    // the restore point taken before this release, and the schema it recorded
                    h.put("restorePoint", r.restorePoint());
                    dev.quartermaster.backup.SchemaAwareDatabaseReturn.restorePoint(
                                    backupStore, database, r.restorePoint())
                            .map(BackupRecord::dbVersion)
                            .filter(v -> !v.isEmpty())
                            .ifPresent(v -> h.put("restorePointDbVersion", v));
                }
                archivedInEcr(ledger, releases.config().repository(), r.running())
                        .ifPresent(
                                i -> {
                                    h.put("runningStorage", "ARCHIVE since " + i.storage().at());
                                    problems.add(
                                            "ECR archived the digest running on "
                                                    + host.name()
                                                    + " ("
                                                    + r.running()
                                                    + ") at "
                                                    + i.storage().at()
                                                    + ": the host runs its own copy, but a pull of it (a new host, a pruned image) gets 404. Restore it: "
                                                    + StorageClass.restoreCommand(
                                                            i.repository(), i.digest()));
                                });
            }
            ReleaseService.previousGoodIn(history)
                    .map(ReleaseRecord::running)
                    .ifPresent(
                            d -> {
                                h.put("rollbackTarget", d);
                                archivedInEcr(ledger, releases.config().repository(), d)
                                        .ifPresent(
                                                i -> {
                                                    h.put(
                                                            "rollbackTargetStorage",
                                                            "ARCHIVE since " + i.storage().at());
                                                    problems.add(
                                                            "ECR archived the rollback target on "
                                                                    + host.name()
                                                                    + " ("
                                                                    + d
                                                                    + ") at "
                                                                    + i.storage().at()
                                                                    + ": bin/qm rollback is refused until it is restored: "
                                                                    + StorageClass.restoreCommand(
                                                                            i.repository(),
                                                                            i.digest()));
                                                });
                            });
            history.stream()
                    .filter(r -> r.kind() == ReleaseRecord.Kind.CHECK && r.status().terminal())
                    .findFirst()
                    .ifPresent(
                            c -> {
                                h.put("driftCheck", c.reason() + " (" + c.finishedAt() + ")");
                                if (c.drifted()) {
                                    problems.add(
                                            Attention.problem(
                                                    "drift on " + host.name() + ": " + c.reason(),
                                                    "bin/qm releases "
                                                            + releases.config().app()
                                                            + " --checks --host "
                                                            + host.name()
                                                            + " --aws"));
                                }
                            });
            history.stream()
                    .filter(r -> r.kind() != ReleaseRecord.Kind.CHECK && r.status().terminal())
                    .findFirst()
                    .filter(
                            r ->
                                    r.status() != ReleaseRecord.Status.RELEASED
                                            && r.status() != ReleaseRecord.Status.SENT)
                    .ifPresent(
                            r ->
                                    problems.add(
                                            Attention.problem(
                                                    "the last release on "
                                                            + host.name()
                                                            + " ended "
                                                            + r.status()
                                                            + ": "
                                                            + r.reason(),
                                                    "bin/qm releases "
                                                            + releases.config().app()
                                                            + " --host "
                                                            + host.name()
                                                            + " --aws")));
            app.put(host.name(), h);
        }
        Attention.running(runningByHost, releases.config().repository(), ledger, sources, problems);
        Attention.mixed(runningByHost, releases.config().repository(), problems);
        if (releaseStore instanceof dev.quartermaster.release.RollStore rolls) {
            // the newest rolling release: each host's state; an unfinished one is a problem to
            // finish
            rolls.rolls(releases.config().app(), 1).stream()
                    .findFirst()
                    .ifPresent(
                            roll -> {
                                app.put("roll", roll.details());
                                if (!roll.status().finished()) {
                                    problems.add(
                                            Attention.problem(
                                                    "roll "
                                                            + roll.rollId()
                                                            + " is "
                                                            + roll.status()
                                                            + roll.mixed()
                                                                    .map(m -> " (" + m + ")")
                                                                    .orElse(""),
                                                    "bin/qm release --resume (or bin/qm rollback)"));
                                }
                            });
        }

        Map<String, Object> backups = new LinkedHashMap<>();
        List<BackupRecord> recent =
                backupStore.list(
                        BackupRecord.Kind.BACKUP, database, now.minus(Duration.ofDays(60)));
        var latest = backupStore.latestVerified(database);
        if (latest.isEmpty()) {
            backups.put("latestVerified", "none");
            problems.add(
                    Attention.problem(
                            "no verified backup of " + database, "bin/qm backup-now --aws"));
        } else {
            BackupRecord b = latest.get();
            double ageHours = Duration.between(b.startedAt(), now).toMinutes() / 60.0;
            backups.put("latestVerified", b.key());
            backups.put("ageHours", Math.round(ageHours * 10) / 10.0);
            backups.put("bytes", b.bytes());
            if (ageHours > maxBackupAgeHours) {
                problems.add(
                        Attention.problem(
                                String.format(
                                        "the newest verified backup is %.1f h old (maxBackupAgeHours %d)",
                                        ageHours, maxBackupAgeHours),
                                "bin/qm backups --database "
                                        + database
                                        + " --aws (then bin/qm backup-now --aws)"));
            }
        }
        List<BackupRecord> verified =
                recent.stream()
                        .filter(b -> b.status() == BackupRecord.Status.VERIFIED)
                        .sorted(Comparator.comparing(BackupRecord::startedAt))
                        .toList();
        List<BackupRecord> last14 =
                verified.subList(Math.max(0, verified.size() - 14), verified.size());
        backups.put("sizes", sparkline(last14.stream().mapToDouble(BackupRecord::bytes).toArray()));
        backups.put(
                "durations",
                sparkline(
                        last14.stream()
                                .mapToDouble(
                                        b ->
                                                b.finishedAt() == null
                                                        ? 0
                                                        : Duration.between(
                                                                        b.startedAt(),
                                                                        b.finishedAt())
                                                                .toMillis())
                                .toArray()));
        List<BackupRecord> drills =
                backupStore.list(BackupRecord.Kind.DRILL, database, now.minus(Duration.ofDays(60)));
        Attention.drills(drills, recent, database, now, problems);
        drills.stream()
                .filter(d -> d.status() != BackupRecord.Status.RUNNING)
                .findFirst()
                .ifPresentOrElse(
                        d -> {
                            backups.put(
                                    "lastDrill",
                                    d.status()
                                            + " "
                                            + d.startedAt()
                                            + (d.finishedAt() == null
                                                    ? ""
                                                    : String.format(
                                                            " (%.1f s)",
                                                            Duration.between(
                                                                                    d.startedAt(),
                                                                                    d.finishedAt())
                                                                            .toMillis()
                                                                    / 1000.0)));
                            if (d.status() == BackupRecord.Status.FAILED) {
                                problems.add(
                                        Attention.problem(
                                                "the last restore drill failed: " + d.error(),
                                                "bin/qm backups --drills --database "
                                                        + database
                                                        + " --aws"));
                            }
                        },
                        () -> backups.put("lastDrill", "none yet"));

        Map<String, Object> images = new LinkedHashMap<>();
        Map<String, Object> archive = new LinkedHashMap<>();
        List<ImageRecord> all = ledger.images(releases.config().repository());
        Instant week = now.minus(Duration.ofDays(WEEK_DAYS));
        Map<ImageVerdict, Integer> counts = new EnumMap<>(ImageVerdict.class);
        List<String> newest = new ArrayList<>();
        List<String> imageProblems = new ArrayList<>();
        long complete = 0;
        long stored = 0;
        for (ImageRecord i :
                all.stream()
                        .sorted(
                                Comparator.comparing(
                                                ImageRecord::lastPushedAt,
                                                Comparator.nullsFirst(Comparator.naturalOrder()))
                                        .reversed())
                        .toList()) {
            if (i.archive() != null && i.archive().complete()) {
                complete++;
                stored += i.archive().bytesStored();
            }
            if (i.lastPushedAt() == null || i.lastPushedAt().isBefore(week) || i.deleted()) {
                continue;
            }
            if (i.verdict() != null) {
                counts.merge(i.verdict(), 1, Integer::sum);
            }
            String ref =
                    releases.config().repository()
                            + ":"
                            + String.join(",", i.tags())
                            + " "
                            + i.digest().substring(7, 19);
            String byDigest = releases.config().repository() + "@" + i.digest();
            if (i.verdict() == ImageVerdict.MISMATCH
                    || i.verdict() == ImageVerdict.UNVERIFIABLE
                    || i.verdict() == ImageVerdict.FAILED_SCAN) {
                newest.add(i.verdict() + " " + ref);
                imageProblems.add(
                        Attention.problem(
                                "image: " + i.verdict() + " " + ref,
                                "bin/qm ledger " + byDigest + " --aws"));
            }
            boolean unarchived = i.archive() == null || !i.archive().complete();
            if (unarchived && i.lastPushedAt().isBefore(now.minus(Duration.ofHours(1)))) {
                newest.add("NOT ARCHIVED " + ref);
                imageProblems.add(
                        Attention.problem(
                                "image: NOT ARCHIVED " + ref,
                                "bin/qm archive list "
                                        + releases.config().repository()
                                        + " --aws"));
            }
        }
        images.put("last7Days", counts);
        images.put("problems", newest.subList(0, Math.min(5, newest.size())));
        problems.addAll(imageProblems);
        archive.put("imagesComplete", complete + " of " + all.size());
        archive.put("bytesStored", stored);

        Map<String, Object> pipeline = new LinkedHashMap<>();
        var depth = deadLetters.depth();
        pipeline.put(
                "deadLetters",
                depth.isPresent()
                        ? (Object) depth.getAsInt()
                        : "unknown (no queue named, or it could not be read)");
        if (depth.isPresent() && depth.getAsInt() > 0) {
            problems.add(
                    Attention.problem(
                            "the dead-letter queue holds "
                                    + depth.getAsInt()
                                    + " event(s) no function could handle: read them, fix the cause, "
                                    + "replay them with bin/qm invoke",
                            "aws sqs receive-message --queue-url <the stack's DeadLetterQueueUrl> (locally: .qm/dead-letters/)"));
        }

        if (!guard.repositories().isEmpty()) {
            pipeline.put("lifecycleGuard", lifecycleGuard(guard, ledger, problems, now));
        }

        List<String> repositories =
                guard.repositories().isEmpty()
                        ? List.of(releases.config().repository())
                        : guard.repositories();
        Attention.replicas(sources.replicas(), ledger, repositories, week, now, problems);
        Attention.lifecycleLosses(sources.alertLog(), week, problems);

        List<String> lastAlerts;
        if (sources.alertLog() != null) {
            lastAlerts =
                    sources.alertLog().since(now.minus(Duration.ofDays(30)), LAST_ALERTS).stream()
                            .map(AlertsView::line)
                            .toList();
        } else {
            lastAlerts =
                    alerts == null
                            ? List.of(
                                    "(no alert log: ALERT_TABLE_NAME is not set; redeploy with this version)")
                            : alerts.subList(Math.max(0, alerts.size() - 5), alerts.size()).stream()
                                    .map(a -> a.kind() + ": " + a.subject())
                                    .toList();
        }
        return new Status(app, backups, images, archive, pipeline, lastAlerts, problems);
    }

    /**
     * The ledger's image of {@code digest} when ECR last said it is archived (it cannot be pulled).
     */
    private static java.util.Optional<ImageRecord> archivedInEcr(
            LedgerStore ledger, String repository, String digest) {
        return digest == null
                ? java.util.Optional.empty()
                : ledger.image(repository, digest).filter(ImageRecord::archivedInEcr);
    }

    /**
     * Per repository: when the guard last heard a lifecycle run and when the policy last ran; a
     * deaf guard is a problem.
     */
    static Map<String, Object> lifecycleGuard(
            Guard guard, LedgerStore ledger, List<String> problems, Instant now) {
        Map<String, Instant> runs = new java.util.HashMap<>();
        Map<String, Instant> heard = new java.util.HashMap<>();
        java.util.Set<String> deleted = new java.util.HashSet<>();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String repo : guard.repositories()) {
            try {
                runs.put(repo, guard.runs().lastRun(repo));
            } catch (RuntimeException e) {
                out.put(
                        repo,
                        "policy runs unknown ("
                                + dev.quartermaster.common.Text.oneLine(
                                        String.valueOf(e.getMessage()), 120)
                                + ")");
                continue;
            }
            Instant h = guard.heard().apply(repo);
            if (h != null) {
                heard.put(repo, h);
            } else if (runs.get(repo) != null
                    && ledger.images(repo).stream().anyMatch(ImageRecord::deleted)) {
                deleted.add(repo);
            }
        }
        for (LifecycleHearing.Coverage c : LifecycleHearing.coverage(runs, heard, deleted, now)) {
            out.put(c.repository(), c.summary());
            if (c.deafness() != null) {
                problems.add(c.deafness());
            }
        }
        return out;
    }

    /** Values as bars, lowest to highest of the series. */
    static String sparkline(double[] values) {
        if (values.length == 0) {
            return "-";
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            int i =
                    max == min
                            ? SPARKS.length() / 2
                            : (int) Math.round((v - min) / (max - min) * (SPARKS.length() - 1));
            b.append(SPARKS.charAt(i));
        }
        return b.toString();
    }

    /**
     * One screen; colour only on a terminal. Returns the exit status: 0 all well, 1 something needs
     * attention.
     */
    public static int print(Status s, boolean json, boolean colour, PrintStream out)
            throws Exception {
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("healthy", s.healthy());
            all.put("app", s.app());
            all.put("backups", s.backups());
            all.put("images", s.images());
            all.put("archive", s.archive());
            all.put("pipeline", s.pipeline());
            all.put("alerts", s.alerts());
            all.put("problems", s.problems());
            out.println(
                    dev.quartermaster.events.EventParser.JSON
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(all));
            return s.healthy() ? 0 : 1;
        }
        String ok = colour ? "\u001b[32mOK\u001b[0m" : "OK";
        String bad = colour ? "\u001b[31mATTENTION\u001b[0m" : "ATTENTION";
        out.println("Quartermaster status: " + (s.healthy() ? ok : bad));
        section(out, "app", s.app());
        section(out, "backups", s.backups());
        section(out, "images (7 days)", s.images());
        section(out, "archive", s.archive());
        section(out, "pipeline", s.pipeline());
        out.println("last alerts:");
        s.alerts().forEach(a -> out.println("  " + a));
        if (!s.healthy()) {
            out.println("needs attention:");
            s.problems().forEach(p -> out.println("  - " + p));
        }
        return s.healthy() ? 0 : 1;
    }

    private static void section(PrintStream out, String title, Map<String, Object> values) {
        out.println(title + ":");
        values.forEach(
                (k, v) -> {
                    if (v instanceof Map<?, ?> nested) { // one app host, its fields below it
                        out.println("  " + k + ":");
                        nested.forEach(
                                (nk, nv) -> {
                                    if (nv != null) {
                                        out.println("    " + nk + ": " + nv);
                                    }
                                });
                    } else {
                        out.println("  " + k + ": " + v);
                    }
                });
    }

    /** The local state's status (the demo prints it too). */
    public static Status local(
            dev.quartermaster.cli.local.LocalEnvironment local, String database, int maxAgeHours) {
        dev.quartermaster.common.Platform p =
                dev.quartermaster.cli.local.LocalServices.platform(local, System.err);
        ReleaseService releases = ReleaseContext.reader(local, p);
        // the local registry has no lifecycle policy of its own (bin/qm lifecycle preview only
        // previews): no runs to compare
        Guard guard =
                Guard.of(
                        local.managedRepositories(),
                        repository -> null,
                        dev.quartermaster.lifecycle.LifecycleRoot.hearing(p));
        Status s =
                collect(
                        releases,
                        dev.quartermaster.release.ReleaseRoot.store(p),
                        dev.quartermaster.backup.BackupRoot.store(p),
                        dev.quartermaster.ledger.LedgerRoot.store(p),
                        guard,
                        database,
                        maxAgeHours,
                        sources(p),
                        DeadLetters.local(local.deadLettersDir()),
                        Instant.now());
        // the next commands name the deployed stack; on the local state the same commands run
        // without --aws
        return new Status(
                s.app(),
                s.backups(),
                s.images(),
                s.archive(),
                s.pipeline(),
                s.alerts(),
                s.problems().stream().map(Attention::locally).toList());
    }

    /**
     * The stores and policy status reads besides its own, on {@code p} (local or the deployed
     * stack's).
     */
    public static Attention.Sources sources(dev.quartermaster.common.Platform p) {
        return new Attention.Sources(
                dev.quartermaster.replication.ReplicationRoot.store(p),
                dev.quartermaster.verify.VerifyRoot.findings(p),
                dev.quartermaster.signature.SignatureRoot.required(p.settings()),
                p.alertLog().orElse(null));
    }
}
