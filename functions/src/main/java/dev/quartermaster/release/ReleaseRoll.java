package dev.quartermaster.release;

import dev.quartermaster.common.Text;
import dev.quartermaster.events.EventParser;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A rolling release over the app hosts: one lock per app, one restore point, the hosts in order and
 * in batches, each switching and proving itself through its own release document (as a single-host
 * release does). The first host that fails stops the roll; the hosts already switched go back to
 * their previous digest, each proven ({@link RollRecord.OnFailure#ROLLBACK}), or stay ({@link
 * RollRecord.OnFailure#STOP}). Each step is recorded before the next one, so a roll whose driver
 * went away is read and finished from its record ({@link #resume}, {@link #rollback}).
 *
 * <p>No AWS type here: hosts are reached through {@link Hosts}, records through {@link RollStore}
 * and {@link ReleaseStore}.
 */
public final class ReleaseRoll {

    /** The port: what one host's release takes. */
    public interface Hosts {
        /** The release gate for one host ({@link ReleaseService#plan}); throws Refused. */
        ReleaseService.Plan plan(String reference, String overrideReason, String host);

        /**
         * Takes the roll's one restore point.
         *
         * @return its key, or null when the roll takes none
         * @throws RuntimeException when it was not verified (nothing is switched then)
         */
        String restorePoint();

        /** Sends the release document to the plan's host ({@link ReleaseService#start}). */
        ReleaseRecord start(
                ReleaseService.Plan plan,
                String restorePoint,
                String requestedBy,
                ReleaseRecord.Kind kind);

        /** Waits for the host's settled record (still RUNNING when it did not report in time). */
        ReleaseRecord await(ReleaseRecord sent);
    }

    /**
     * What to roll.
     *
     * @param hosts the app hosts in roll order
     * @param overrideReason the release gate's override (--force --reason), or null
     * @param lockBreakReason breaks a lock past its deadline (--force --reason), or null
     */
    public record Request(
            String app,
            String reference,
            List<String> hosts,
            int batch,
            RollRecord.OnFailure onFailure,
            String requestedBy,
            String overrideReason,
            String lockBreakReason) {
        public Request {
            hosts = List.copyOf(hosts);
            if (batch < 1) {
                throw new IllegalArgumentException("--batch must be at least 1, not " + batch);
            }
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("no app host to roll over");
            }
        }
    }

    /**
     * How the roll ended.
     *
     * @param failedHost the first host that failed (null when none)
     * @param failedStep its failing step (pull, switch, prove, …) or null
     * @param failedOutput that step's output, one line
     */
    public record Result(
            RollRecord roll, String failedHost, String failedStep, String failedOutput) {

        /**
         * 0 every host switched; 3 a host failed and every host is back on its previous digest; 4 a
         * return failed or what runs is unknown; 7 stopped (the site is mixed, on purpose).
         */
        public int exitCode() {
            if (roll.status() == RollRecord.Status.DONE) {
                return 0;
            }
            if (roll.status() == RollRecord.Status.STOPPED) {
                return 7;
            }
            boolean allBack =
                    roll.hosts().stream()
                            .noneMatch(
                                    h ->
                                            h.state() == RollRecord.HostState.RETURN_FAILED
                                                    || h.state() == RollRecord.HostState.SWITCHED
                                                    || (h.state() == RollRecord.HostState.FAILED
                                                            && !backOn(h)));
            return allBack ? 3 : 4;
        }

        /** For the operator: which host failed, at which step, with what output. */
        public String failure() {
            if (failedHost == null) {
                return roll.reason();
            }
            return failedHost
                    + " failed at step "
                    + (failedStep == null ? "unknown" : failedStep)
                    + ": "
                    + (failedOutput == null ? "no output" : failedOutput);
        }
    }

    /** How long the restore point may take (as ReleaseFlow waits for it). */
    public static final Duration RESTORE_POINT_TIMEOUT = Duration.ofMinutes(30);

    /** How long one host's release may take (as ReleaseFlow waits for it). */
    public static final Duration HOST_TIMEOUT = Duration.ofMinutes(45);

    private final RollStore rolls;
    private final ReleaseStore releases;
    private final Hosts hosts;
    private final DatabaseReturn database;
    private final Clock clock;
    private final Consumer<String> out;

    /**
     * @param out one line per step for the operator
     */
    public ReleaseRoll(
            RollStore rolls,
            ReleaseStore releases,
            Hosts hosts,
            DatabaseReturn database,
            Clock clock,
            Consumer<String> out) {
        this.rolls = rolls;
        this.releases = releases;
        this.hosts = hosts;
        this.database = database;
        this.clock = clock;
        this.out = out;
    }

    /** The lock's deadline: the restore point, then every batch's release and return. */
    static Duration deadline(int hostCount, int batch) {
        int batches = (hostCount + batch - 1) / batch;
        return RESTORE_POINT_TIMEOUT.plus(HOST_TIMEOUT.multipliedBy(2L * batches));
    }

    /** Rolls {@code request.reference()} over the hosts. Throws Refused when nothing was sent. */
    public Result run(Request request) {
        String rollId = "roll-" + UUID.randomUUID();
        Instant now = clock.instant();
        ReleaseLock mine =
                new ReleaseLock(
                        request.app(),
                        Text.oneLine(request.requestedBy(), 128),
                        now,
                        rollId,
                        now.plus(deadline(request.hosts().size(), request.batch())),
                        null);
        String lockNote = acquire(mine, request.lockBreakReason(), null);
        try {
            Map<String, ReleaseService.Plan> plans = new LinkedHashMap<>();
            for (String h : request.hosts()) {
                plans.put(h, hosts.plan(request.reference(), request.overrideReason(), h));
            }
            ReleaseService.Plan first = plans.values().iterator().next();
            for (ReleaseService.Plan p : plans.values()) {
                if (!p.digest().equals(first.digest())) {
                    throw new ReleaseService.Refused(
                            request.reference()
                                    + " named "
                                    + first.digest()
                                    + " for "
                                    + first.host()
                                    + " and "
                                    + p.digest()
                                    + " for "
                                    + p.host()
                                    + " (the tag moved while planning): nothing was sent; release again");
                }
            }
            List<RollRecord.HostStep> steps = new ArrayList<>();
            plans.values()
                    .forEach(
                            p ->
                                    steps.add(
                                            RollRecord.HostStep.pending(
                                                    p.host(),
                                                    p.digest(),
                                                    p.previousDigest(),
                                                    p.previousVersion())));
            RollRecord roll =
                    new RollRecord(
                            request.app(),
                            rollId,
                            ReleaseRecord.Kind.RELEASE,
                            first.repository(),
                            first.tag(),
                            first.digest(),
                            first.version(),
                            mine.holder(),
                            now,
                            null,
                            request.overrideReason() == null
                                    ? null
                                    : Text.oneLine(request.overrideReason(), 400),
                            request.batch(),
                            request.onFailure(),
                            steps,
                            RollRecord.Status.RUNNING,
                            null,
                            null,
                            lockNote,
                            null);
            if (!rolls.createRoll(roll)) {
                throw new IllegalStateException("roll " + rollId + " is recorded already");
            }
            out.accept(
                    "rolling "
                            + request.reference()
                            + " ("
                            + RollRecord.shortDigest(first.digest())
                            + ", version "
                            + first.version()
                            + ") over "
                            + String.join(", ", request.hosts())
                            + " in batches of "
                            + request.batch()
                            + "; on failure: "
                            + request.onFailure().name().toLowerCase()
                            + " (roll "
                            + rollId
                            + ")"
                            + (lockNote == null ? "" : "; " + lockNote));
            String key;
            try {
                key = hosts.restorePoint();
            } catch (RuntimeException e) {
                rolls.saveRoll(
                        roll.ended(
                                RollRecord.Status.FAILED,
                                "the restore point was not verified, nothing was switched: "
                                        + Text.oneLine(String.valueOf(e.getMessage()), 300),
                                null,
                                clock.instant()));
                throw e;
            }
            roll = roll.withRestorePoint(key);
            rolls.saveRoll(roll);
            return drive(roll, plans);
        } finally {
            rolls.unlock(request.app(), rollId);
        }
    }

    /**
     * Continues the newest unfinished roll of {@code app} (RUNNING: its driver went away; STOPPED:
     * stopped on a failure) from the first host not switched, with its digest and restore point,
     * taking over its lock.
     */
    public Result resume(String app, String requestedBy, String lockBreakReason) {
        RollRecord roll =
                unfinished(app)
                        .orElseThrow(
                                () ->
                                        new ReleaseService.Refused(
                                                "no unfinished roll of "
                                                        + app
                                                        + " to resume (bin/qm releases)"));
        if (roll.kind() != ReleaseRecord.Kind.RELEASE) {
            throw new ReleaseService.Refused(
                    "roll " + roll.rollId() + " is a rollback: run bin/qm rollback to finish it");
        }
        Instant now = clock.instant();
        ReleaseLock mine =
                new ReleaseLock(
                        app,
                        Text.oneLine(requestedBy, 128),
                        now,
                        roll.rollId(),
                        now.plus(deadline(roll.hosts().size(), roll.batch())),
                        null);
        String note = acquire(mine, lockBreakReason, roll.rollId());
        try {
            roll = settleSent(roll);
            List<RollRecord.HostStep> retry = new ArrayList<>();
            for (RollRecord.HostStep h : roll.hosts()) {
                if (h.state() == RollRecord.HostState.FAILED) {
                    retry.add(h.sent(null).with(RollRecord.HostState.PENDING, null, null));
                }
            }
            for (RollRecord.HostStep h : retry) {
                roll = roll.withHost(h);
            }
            roll =
                    roll.resumedBy(
                            mine.holder(),
                            "resumed by "
                                    + mine.holder()
                                    + " at "
                                    + now
                                    + (note == null ? "" : " (" + note + ")"));
            rolls.saveRoll(roll);
            Map<String, ReleaseService.Plan> plans = new LinkedHashMap<>();
            for (RollRecord.HostStep h : roll.hosts()) {
                if (h.state() == RollRecord.HostState.PENDING) {
                    plans.put(
                            h.host(),
                            hosts.plan(
                                    roll.repository() + "@" + roll.digest(),
                                    roll.overrideReason(),
                                    h.host()));
                }
            }
            out.accept(
                    "resuming roll "
                            + roll.rollId()
                            + " of "
                            + roll.repository()
                            + "@"
                            + RollRecord.shortDigest(roll.digest())
                            + " on "
                            + String.join(", ", plans.keySet())
                            + " (restore point "
                            + (roll.restorePoint() == null ? "none" : roll.restorePoint())
                            + ")");
            return drive(roll, plans);
        } finally {
            rolls.unlock(app, roll.rollId());
        }
    }

    /**
     * Returns every host to where it was before the newest unfinished roll (each host switched by
     * it goes back to its previous digest, proven), then the database question, and ends the roll.
     */
    public Result rollback(String app, String requestedBy, String lockBreakReason) {
        RollRecord roll =
                unfinished(app)
                        .orElseThrow(
                                () ->
                                        new ReleaseService.Refused(
                                                "no unfinished roll of " + app + " to roll back"));
        Instant now = clock.instant();
        ReleaseLock mine =
                new ReleaseLock(
                        app,
                        Text.oneLine(requestedBy, 128),
                        now,
                        roll.rollId(),
                        now.plus(deadline(roll.hosts().size(), roll.batch())),
                        null);
        String note = acquire(mine, lockBreakReason, roll.rollId());
        try {
            roll = settleSent(roll);
            roll =
                    roll.resumedBy(
                            mine.holder(),
                            "rolled back by "
                                    + mine.holder()
                                    + " at "
                                    + now
                                    + (note == null ? "" : " (" + note + ")"));
            rolls.saveRoll(roll);
            out.accept(
                    "returning the hosts of roll " + roll.rollId() + " to their previous digest");
            return finishFailed(
                    roll,
                    RollRecord.OnFailure.ROLLBACK,
                    null,
                    null,
                    null,
                    "rolled back by " + mine.holder());
        } finally {
            rolls.unlock(app, roll.rollId());
        }
    }

    /**
     * Runs a one-host release (or rollback) under the app's lock: the same refusal, the same
     * stale-lock break as a roll.
     */
    public <T> T locked(
            String app,
            String requestedBy,
            String lockBreakReason,
            java.util.function.Supplier<T> work) {
        return locked(app, requestedBy, lockBreakReason, 1, work);
    }

    /**
     * Runs work over {@code hostCount} hosts one after another (a rollback of every host) under the
     * app's lock, its deadline long enough for all of them: a lock that outlives one host's
     * deadline is not stale while the later hosts go back.
     */
    public <T> T locked(
            String app,
            String requestedBy,
            String lockBreakReason,
            int hostCount,
            java.util.function.Supplier<T> work) {
        String id = "release-" + UUID.randomUUID();
        Instant now = clock.instant();
        ReleaseLock mine =
                new ReleaseLock(
                        app,
                        Text.oneLine(requestedBy, 128),
                        now,
                        id,
                        now.plus(deadline(Math.max(1, hostCount), 1)),
                        null);
        String note = acquire(mine, lockBreakReason, null);
        if (note != null) {
            out.accept(note);
        }
        try {
            return work.get();
        } finally {
            rolls.unlock(app, id);
        }
    }

    /** The newest roll of the app if it did not finish (RUNNING or STOPPED). */
    public Optional<RollRecord> unfinished(String app) {
        return rolls.rolls(app, 1).stream().filter(r -> !r.status().finished()).findFirst();
    }

    /**
     * Takes the lock: free, or the same roll's (a resume takes it over), or stale and broken with a
     * reason. Never reads then writes: each write is conditional on what was read.
     *
     * @return how it was taken when it was not free (recorded with the roll), or null
     */
    private String acquire(ReleaseLock mine, String breakReason, String resumingRollId) {
        Optional<ReleaseLock> held = rolls.lock(mine);
        if (held.isEmpty()) {
            return null;
        }
        ReleaseLock h = held.get();
        String note;
        if (resumingRollId != null && resumingRollId.equals(h.rollId())) {
            note =
                    "took over the lock of its roll from "
                            + h.holder()
                            + " (since "
                            + h.since()
                            + ")";
        } else if (breakReason != null && !breakReason.isBlank() && h.stale(clock.instant())) {
            note =
                    "broke the stale lock of "
                            + h.describe()
                            + ": "
                            + Text.oneLine(breakReason, 300);
        } else if (breakReason != null && !breakReason.isBlank()) {
            throw new ReleaseService.Refused(
                    "refused: a release of "
                            + mine.app()
                            + " is under way: "
                            + h.describe()
                            + ". Its deadline has not passed: --force --reason breaks only a stale lock. Nothing was sent.");
        } else {
            throw new ReleaseService.Refused(
                    "refused: a release of "
                            + mine.app()
                            + " is under way: "
                            + h.describe()
                            + ". One release at a time; nothing was sent. Past its deadline, break it with --force --reason TEXT (recorded)"
                            + ", or finish its roll with bin/qm release --resume / bin/qm rollback.");
        }
        ReleaseLock taken =
                new ReleaseLock(
                        mine.app(),
                        mine.holder(),
                        mine.since(),
                        mine.rollId(),
                        mine.deadline(),
                        note);
        if (!rolls.replaceLock(h, taken)) {
            throw new ReleaseService.Refused(
                    "refused: the lock of "
                            + mine.app()
                            + " changed while it was being taken over ("
                            + h.describe()
                            + " is no longer what holds it). Nothing was sent; look again with bin/qm releases.");
        }
        return note;
    }

    /**
     * A host sent before the driver went away: its settled record says where it is. Still RUNNING:
     * refused (someone must wait for the host).
     */
    private RollRecord settleSent(RollRecord roll) {
        for (RollRecord.HostStep h : roll.hosts()) {
            if (h.state() != RollRecord.HostState.PENDING || h.commandId() == null) {
                continue;
            }
            ReleaseRecord r =
                    releases.byCommandId(h.commandId())
                            .orElseThrow(
                                    () ->
                                            new ReleaseService.Refused(
                                                    "the release sent to "
                                                            + h.host()
                                                            + " (command "
                                                            + h.commandId()
                                                            + ") is not recorded: check the host"));
            if (!r.status().terminal()) {
                throw new ReleaseService.Refused(
                        h.host()
                                + " is still releasing (command "
                                + h.commandId()
                                + ", since "
                                + r.requestedAt()
                                + "): wait for its outcome (bin/qm releases --host "
                                + h.host()
                                + "), then resume");
            }
            roll = roll.withHost(outcome(h, r, roll.digest()));
        }
        rolls.saveRoll(roll);
        return roll;
    }

    private static RollRecord.HostStep outcome(
            RollRecord.HostStep planned, ReleaseRecord r, String digest) {
        // a host with no release recorded before: what it ran is what its report says
        RollRecord.HostStep h = planned.reportedFrom(r.fromDigest());
        if (r.status() == ReleaseRecord.Status.RELEASED && digest.equals(r.running())) {
            return h.with(
                    RollRecord.HostState.SWITCHED,
                    r.running(),
                    "released, proven: version " + r.runningVersion());
        }
        String running = r.running();
        if (running == null
                && (r.status() == ReleaseRecord.Status.FAILED
                        || r.status() == ReleaseRecord.Status.REFUSED)) {
            running = h.fromDigest();
        }
        return h.with(RollRecord.HostState.FAILED, running, describe(r));
    }

    /** A failed host is back where it was: it rolled itself back, or was never changed. */
    static boolean backOn(RollRecord.HostStep h) {
        return h.running() != null && h.running().equals(h.fromDigest());
    }

    private static String describe(ReleaseRecord r) {
        if (!r.status().terminal()) {
            return "did not report in time (command " + r.commandId() + "): what runs is unknown";
        }
        Step s = failingStep(r);
        return r.status()
                + (s == null ? "" : " at step " + s.name() + ": " + s.output())
                + (r.reason() == null ? "" : " (" + r.reason() + ")");
    }

    record Step(String name, String output) {}

    /** The first step the host reported failed, with its output. */
    static Step failingStep(ReleaseRecord r) {
        if (r.steps() == null) {
            return null;
        }
        try {
            for (var st : EventParser.JSON.readTree(r.steps())) {
                if ("failed".equals(st.path("status").asText())) {
                    return new Step(
                            st.path("step").asText(),
                            Text.oneLine(st.path("detail").asText(), 400));
                }
            }
        } catch (java.io.IOException e) {
            return null;
        }
        return null;
    }

    /** Sends the pending hosts in batches; stops at the first batch with a failure. */
    private Result drive(RollRecord roll, Map<String, ReleaseService.Plan> plans) {
        List<String> pending = new ArrayList<>(plans.keySet());
        for (int i = 0; i < pending.size(); i += roll.batch()) {
            List<String> batch = pending.subList(i, Math.min(pending.size(), i + roll.batch()));
            List<ReleaseRecord> sent = new ArrayList<>();
            Map<String, String> refused = new LinkedHashMap<>();
            for (String h : batch) {
                try {
                    ReleaseRecord r =
                            hosts.start(
                                    plans.get(h),
                                    roll.restorePoint(),
                                    roll.requestedBy(),
                                    ReleaseRecord.Kind.RELEASE);
                    roll = roll.withHost(roll.host(h).orElseThrow().sent(r.commandId()));
                    rolls.saveRoll(roll);
                    sent.add(r);
                } catch (RuntimeException e) {
                    refused.put(h, Text.oneLine(String.valueOf(e.getMessage()), 400));
                    break;
                }
            }
            for (ReleaseRecord r : sent) {
                ReleaseRecord settled = hosts.await(r);
                RollRecord.HostStep step =
                        outcome(roll.host(r.host()).orElseThrow(), settled, roll.digest());
                roll = roll.withHost(step);
                rolls.saveRoll(roll);
                out.accept(
                        "  "
                                + r.host()
                                + ": "
                                + step.state().name().toLowerCase()
                                + (step.detail() == null ? "" : " — " + step.detail()));
            }
            for (Map.Entry<String, String> e : refused.entrySet()) {
                RollRecord.HostStep h = roll.host(e.getKey()).orElseThrow();
                roll =
                        roll.withHost(
                                h.with(
                                        RollRecord.HostState.FAILED,
                                        h.fromDigest(),
                                        "not sent: " + e.getValue()));
                rolls.saveRoll(roll);
                out.accept("  " + e.getKey() + ": not sent — " + e.getValue());
            }
            Optional<RollRecord.HostStep> failed =
                    roll.hosts().stream()
                            .filter(h -> batch.contains(h.host()))
                            .filter(h -> h.state() == RollRecord.HostState.FAILED)
                            .findFirst();
            if (failed.isPresent()) {
                RollRecord.HostStep f = failed.get();
                String step = null;
                String output = f.detail();
                if (!refused.containsKey(f.host())) {
                    ReleaseRecord r = releases.byCommandId(f.commandId()).orElse(null);
                    Step s = r == null ? null : failingStep(r);
                    if (s != null) {
                        step = s.name();
                        output = s.output();
                    }
                } else {
                    step = "send";
                }
                return finishFailed(roll, roll.onFailure(), f.host(), step, output, null);
            }
        }
        RollRecord done = roll.ended(RollRecord.Status.DONE, null, null, clock.instant());
        rolls.saveRoll(done);
        out.accept(
                "DONE: "
                        + String.join(", ", plans.keySet())
                        + " run "
                        + roll.repository()
                        + "@"
                        + RollRecord.shortDigest(roll.digest())
                        + ", version "
                        + roll.version());
        return new Result(done, null, null, null);
    }

    /**
     * The roll stopped on {@code failedHost}: returns the switched hosts (ROLLBACK) or leaves them
     * (STOP), then asks the database once when every host is back.
     */
    private Result finishFailed(
            RollRecord roll,
            RollRecord.OnFailure mode,
            String failedHost,
            String step,
            String output,
            String why) {
        String reason =
                why != null
                        ? why
                        : failedHost
                                + " failed at step "
                                + (step == null ? "unknown" : step)
                                + ": "
                                + (output == null ? "no output" : output);
        if (mode == RollRecord.OnFailure.STOP) {
            RollRecord stopped =
                    roll.ended(
                            RollRecord.Status.STOPPED,
                            reason
                                    + "; the hosts switched before it were left on the new digest (--on-failure stop)",
                            null,
                            clock.instant());
            rolls.saveRoll(stopped);
            out.accept("STOPPED: " + reason);
            stopped.mixed().ifPresent(m -> out.accept("  " + m));
            return new Result(stopped, failedHost, step, output);
        }
        List<RollRecord.HostStep> toReturn =
                roll.hosts().stream()
                        .filter(h -> h.state() == RollRecord.HostState.SWITCHED)
                        .toList();
        for (int i = 0; i < toReturn.size(); i += roll.batch()) {
            List<RollRecord.HostStep> batch =
                    toReturn.subList(i, Math.min(toReturn.size(), i + roll.batch()));
            List<ReleaseRecord> sent = new ArrayList<>();
            for (RollRecord.HostStep recorded : batch) {
                RollRecord.HostStep h =
                        recorded.commandId() == null
                                ? recorded
                                : recorded.reportedFrom(
                                        releases.byCommandId(recorded.commandId())
                                                .map(ReleaseRecord::fromDigest)
                                                .orElse(null));
                if (h.fromDigest() == null) {
                    roll =
                            roll.withHost(
                                    h.with(
                                            RollRecord.HostState.RETURN_FAILED,
                                            h.running(),
                                            "no release was recorded on this host before the roll: nothing to return to"));
                    rolls.saveRoll(roll);
                    continue;
                }
                try {
                    ReleaseService.Plan p =
                            hosts.plan(roll.repository() + "@" + h.fromDigest(), null, h.host());
                    ReleaseRecord r =
                            hosts.start(
                                    p,
                                    roll.restorePoint(),
                                    roll.requestedBy(),
                                    ReleaseRecord.Kind.ROLLBACK);
                    roll = roll.withHost(h.returning(r.commandId()));
                    rolls.saveRoll(roll);
                    sent.add(r);
                } catch (RuntimeException e) {
                    roll =
                            roll.withHost(
                                    h.with(
                                            RollRecord.HostState.RETURN_FAILED,
                                            h.running(),
                                            "return not sent: "
                                                    + Text.oneLine(
                                                            String.valueOf(e.getMessage()), 300)));
                    rolls.saveRoll(roll);
                }
            }
            for (ReleaseRecord r : sent) {
                ReleaseRecord settled = hosts.await(r);
                RollRecord.HostStep h = roll.host(r.host()).orElseThrow();
                RollRecord.HostStep next;
                if (settled.status() == ReleaseRecord.Status.RELEASED
                        && h.fromDigest().equals(settled.running())) {
                    next =
                            h.with(
                                    RollRecord.HostState.RETURNED,
                                    settled.running(),
                                    "back on its previous digest, proven: version "
                                            + settled.runningVersion());
                } else {
                    next =
                            h.with(
                                    RollRecord.HostState.RETURN_FAILED,
                                    settled.running(),
                                    "return " + describe(settled));
                }
                roll = roll.withHost(next);
                rolls.saveRoll(roll);
                out.accept(
                        "  "
                                + h.host()
                                + ": "
                                + next.state().name().toLowerCase()
                                + " — "
                                + next.detail());
            }
        }
        List<String> notBack = new ArrayList<>();
        for (RollRecord.HostStep h : roll.hosts()) {
            boolean back =
                    switch (h.state()) {
                        case PENDING, RETURNED -> true;
                        case FAILED -> backOn(h);
                        default -> false;
                    };
            if (!back) {
                notBack.add(h.host());
            }
        }
        String db;
        if (notBack.isEmpty()) {
            db = database.afterRollback(roll.restorePoint());
        } else {
            db =
                    "database left as is: "
                            + String.join(", ", notBack)
                            + " "
                            + (notBack.size() == 1 ? "is" : "are")
                            + " not back on the previous digest";
        }
        RollRecord ended = roll.ended(RollRecord.Status.FAILED, reason, db, clock.instant());
        rolls.saveRoll(ended);
        out.accept("FAILED: " + reason);
        for (RollRecord.HostStep h : ended.hosts()) {
            out.accept(
                    "  "
                            + h.host()
                            + " "
                            + h.state().name().toLowerCase()
                            + ", runs "
                            + RollRecord.shortDigest(RollRecord.runs(h)));
        }
        if (db != null) {
            out.accept("  database: " + db);
        }
        return new Result(ended, failedHost, step, output);
    }
}
