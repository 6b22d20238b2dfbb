package dev.quartermaster.cli.ops;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.common.AlertLog;
import dev.quartermaster.events.Inspector2Finding;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.replication.Replica;
import dev.quartermaster.replication.ReplicaState;
import dev.quartermaster.replication.ReplicaStore;
import dev.quartermaster.signature.TrustPolicy;
import dev.quartermaster.verify.FindingStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The problems bin/qm status lists besides the ones it always did, each a line with the command to
 * run next: what the app hosts run (not VERIFIED, not SIGNED where required, an active critical
 * finding), a roll that left the hosts on different digests, replicas that failed or are late,
 * lifecycle losses (from the alert log: nothing else records them), an old drill.
 */
public final class Attention {
    /**
     * A restore drill runs weekly: one older than this (a day's grace) means the schedule or the
     * drill is broken.
     */
    public static final int MAX_DRILL_AGE_DAYS = 8;

    static final String NEXT = " — next: ";

    private Attention() {}

    /**
     * What status reads besides the release, backup and ledger stores. Any part may be null or
     * empty: that check is skipped.
     */
    public record Sources(
            ReplicaStore replicas,
            FindingStore findings,
            List<String> signatureRequired,
            AlertLog alertLog) {
        public static Sources none() {
            return new Sources(null, null, List.of(), null);
        }
    }

    /** The same line for the local state: its commands without --aws. */
    public static String locally(String line) {
        return line.replace(" --aws", "");
    }

    /** A problem line: what is wrong, then the command to run. */
    public static String problem(String text, String next) {
        return text + NEXT + next;
    }

    /**
     * Each app host's running digest (its last good release), checked against the ledger, the
     * signature policy and Inspector.
     */
    public static void running(
            Map<String, ReleaseRecord> runningByHost,
            String repository,
            LedgerStore ledger,
            Sources s,
            List<String> problems) {
        TrustPolicy policy =
                new TrustPolicy(
                        List.of(),
                        List.of(),
                        s.signatureRequired() == null ? List.of() : s.signatureRequired(),
                        true);
        runningByHost.forEach(
                (host, r) -> {
                    String digest = r.running();
                    if (digest == null) {
                        return;
                    }
                    String ref = repository + "@" + digest;
                    Optional<ImageRecord> image = ledger.image(repository, digest);
                    ImageVerdict verdict = image.map(ImageRecord::verdict).orElse(null);
                    if (verdict != ImageVerdict.VERIFIED) {
                        problems.add(
                                problem(
                                        host
                                                + " runs "
                                                + ref
                                                + (r.tag() == null ? "" : " (" + r.tag() + ")")
                                                + ", which is not VERIFIED ("
                                                + (verdict == null
                                                        ? "no verdict recorded"
                                                        : verdict)
                                                + ")"
                                                + (r.forced()
                                                        ? ": released with --force, "
                                                                + r.overrideReason()
                                                        : ""),
                                        "bin/qm verify "
                                                + ref
                                                + " --aws, or release a VERIFIED digest"));
                    }
                    if (policy.required(repository)
                            && image.map(ImageRecord::signature)
                                    .map(ImageRecord.Signature::signed)
                                    .orElse(false)
                                    .equals(Boolean.FALSE)) {
                        String state =
                                image.map(ImageRecord::signature)
                                        .map(ImageRecord.Signature::state)
                                        .orElse("no signature recorded");
                        problems.add(
                                problem(
                                        host
                                                + " runs "
                                                + ref
                                                + ", not SIGNED ("
                                                + state
                                                + ") though "
                                                + repository
                                                + "'s releases need a signature",
                                        "bin/qm verify " + ref + " --aws"));
                    }
                    if (s.findings() != null) {
                        List<Inspector2Finding> critical =
                                s.findings().findings(repository, digest).stream()
                                        .filter(f -> f.active() && f.severity().equals("CRITICAL"))
                                        .toList();
                        if (!critical.isEmpty()) {
                            problems.add(
                                    problem(
                                            host
                                                    + " runs "
                                                    + ref
                                                    + " with "
                                                    + critical.size()
                                                    + " active CRITICAL finding(s) ("
                                                    + String.join(
                                                            ", ",
                                                            critical.stream()
                                                                    .map(
                                                                            Inspector2Finding
                                                                                    ::vulnerabilityId)
                                                                    .limit(3)
                                                                    .toList())
                                                    + ")",
                                            "bin/qm ledger "
                                                    + repository
                                                    + " --aws (release the newest VERIFIED digest without them)"));
                        }
                    }
                    image.map(ImageRecord::scanCounts)
                            .filter(
                                    c ->
                                            c.getOrDefault("CRITICAL", 0) > 0
                                                    && image.get().scanAcceptance() == null)
                            .filter(
                                    c ->
                                            s.findings() == null
                                                    || s.findings()
                                                            .findings(repository, digest)
                                                            .isEmpty()) // Inspector's word counted
                            // above
                            .ifPresent(
                                    c ->
                                            problems.add(
                                                    problem(
                                                            host
                                                                    + " runs "
                                                                    + ref
                                                                    + ", whose scan found "
                                                                    + c.get("CRITICAL")
                                                                    + " CRITICAL",
                                                            "bin/qm ledger " + ref + " --aws")));
                });
    }

    /**
     * The app hosts do not all run the same digest: a roll stopped (or was stopped) between hosts.
     */
    public static void mixed(
            Map<String, ReleaseRecord> runningByHost, String repository, List<String> problems) {
        Map<String, List<String>> hostsByDigest = new LinkedHashMap<>();
        runningByHost.forEach(
                (host, r) -> {
                    if (r.running() != null) {
                        hostsByDigest
                                .computeIfAbsent(r.running(), d -> new ArrayList<>())
                                .add(host);
                    }
                });
        if (hostsByDigest.size() <= 1) {
            return;
        }
        ReleaseRecord newest =
                runningByHost.values().stream()
                        .filter(r -> r.finishedAt() != null)
                        .max(java.util.Comparator.comparing(ReleaseRecord::finishedAt))
                        .orElseThrow();
        List<String> behind =
                runningByHost.entrySet().stream()
                        .filter(e -> !newest.running().equals(e.getValue().running()))
                        .map(Map.Entry::getKey)
                        .toList();
        StringBuilder what = new StringBuilder("a roll in a mixed state: ");
        hostsByDigest.forEach(
                (d, hosts) ->
                        what.append(String.join(", ", hosts))
                                .append(" run ")
                                .append(d.substring(0, Math.min(19, d.length())))
                                .append("; "));
        problems.add(
                problem(
                        what.substring(0, what.length() - 2),
                        "bin/qm release "
                                + repository
                                + "@"
                                + newest.running()
                                + " --host "
                                + behind.get(0)
                                + " --aws (or bin/qm rollback on the others)"));
    }

    /**
     * Replicas that failed (of images pushed since {@code since}) or are past their deadline, per
     * destination.
     */
    public static void replicas(
            ReplicaStore store,
            LedgerStore ledger,
            List<String> repositories,
            Instant since,
            Instant now,
            List<String> problems) {
        if (store == null) {
            return;
        }
        Map<String, List<String>> failed = new LinkedHashMap<>();
        for (String repository : repositories) {
            for (ImageRecord i : ledger.images(repository)) {
                if (i.deleted() || i.lastPushedAt() == null || i.lastPushedAt().isBefore(since)) {
                    continue;
                }
                store.replicas(repository, i.digest()).stream()
                        .filter(r -> r.state() == ReplicaState.FAILED)
                        .forEach(
                                r ->
                                        failed.computeIfAbsent(
                                                        r.destination().key(),
                                                        k -> new ArrayList<>())
                                                .add(
                                                        repository
                                                                + "@"
                                                                + i.digest().substring(7, 19)));
            }
        }
        failed.forEach(
                (dest, refs) ->
                        problems.add(
                                problem(
                                        refs.size()
                                                + " replica(s) FAILED in "
                                                + dest
                                                + ": "
                                                + String.join(
                                                        ", ",
                                                        refs.subList(0, Math.min(3, refs.size())))
                                                + (refs.size() > 3 ? ", …" : ""),
                                        "bin/qm replicate backfill --to " + dest + " --aws")));
        Map<String, List<String>> late = new LinkedHashMap<>();
        for (Replica r : store.due(now, 100)) {
            if (r.late() || (r.dueAt() != null && r.dueAt().isBefore(now))) {
                late.computeIfAbsent(r.destination().key(), k -> new ArrayList<>())
                        .add(r.repository() + "@" + r.digest().substring(7, 19));
            }
        }
        late.forEach(
                (dest, refs) ->
                        problems.add(
                                problem(
                                        refs.size()
                                                + " replica(s) LATE in "
                                                + dest
                                                + " (not there by their deadline): "
                                                + String.join(
                                                        ", ",
                                                        refs.subList(0, Math.min(3, refs.size())))
                                                + (refs.size() > 3 ? ", …" : ""),
                                        "bin/qm replicate backfill --to " + dest + " --aws")));
    }

    /** ECR's lifecycle policy took images Quartermaster needs: only the alert log remembers it. */
    public static void lifecycleLosses(AlertLog log, Instant since, List<String> problems) {
        if (log == null) {
            return;
        }
        log.since(since, 500).stream()
                .filter(w -> w.key().kind().equals("LIFECYCLE_LOSS"))
                .forEach(
                        w ->
                                problems.add(
                                        problem(
                                                w.title()
                                                        + " ("
                                                        + w.count()
                                                        + "x, last at "
                                                        + w.lastAt()
                                                        + ")",
                                                w.next() == null
                                                        ? "bin/qm alerts --kind LIFECYCLE_LOSS --aws"
                                                        : w.next())));
    }

    /**
     * The newest finished drill is older than {@link #MAX_DRILL_AGE_DAYS}, or none ran though
     * backups have for longer.
     */
    public static void drills(
            List<BackupRecord> drills,
            List<BackupRecord> backups,
            String database,
            Instant now,
            List<String> problems) {
        Instant limit = now.minus(Duration.ofDays(MAX_DRILL_AGE_DAYS));
        Optional<BackupRecord> last =
                drills.stream().filter(d -> d.status() != BackupRecord.Status.RUNNING).findFirst();
        if (last.isPresent() && last.get().startedAt().isBefore(limit)) {
            problems.add(
                    problem(
                            "the last restore drill of "
                                    + database
                                    + " ran "
                                    + last.get().startedAt()
                                    + ", more than "
                                    + MAX_DRILL_AGE_DAYS
                                    + " days ago: the weekly drill is not running",
                            "bin/qm backups --drills --database " + database + " --aws"));
        } else if (last.isEmpty()
                && backups.stream().anyMatch(b -> b.startedAt().isBefore(limit))) {
            problems.add(
                    problem(
                            "no restore drill of "
                                    + database
                                    + " in "
                                    + MAX_DRILL_AGE_DAYS
                                    + " days of backups: nobody proved they restore",
                            "bin/qm backups --drills --database " + database + " --aws"));
        }
    }
}
