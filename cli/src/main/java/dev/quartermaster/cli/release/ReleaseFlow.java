package dev.quartermaster.cli.release;

import dev.quartermaster.backup.BackupRecord;
import dev.quartermaster.backup.BackupService;
import dev.quartermaster.backup.BackupStore;
import dev.quartermaster.release.ReleaseRecord;
import dev.quartermaster.release.ReleaseRoll;
import dev.quartermaster.release.ReleaseService;
import dev.quartermaster.release.ReleaseStore;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * What bin/qm release and rollback do, locally and on the deployed stack: the ledger's gate, the
 * restore point (the project's own verified backup, taken first), the release document, then the
 * outcome the host proved, each step printed with its duration as it is known, and one last line:
 * what runs now.
 */
public final class ReleaseFlow {
    /**
     * How the outcome of a sent command becomes known: locally the agent already ran it; on AWS,
     * wait for the status functions.
     */
    interface Completion {
        void commandsRan();

        default <T> Optional<T> await(
                java.util.function.Supplier<Optional<T>> read,
                java.util.function.Predicate<T> done,
                Duration timeout) {
            commandsRan();
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<T> now = read.get();
                if (now.isPresent() && done.test(now.get())) {
                    return now;
                }
                if (System.nanoTime() > end) {
                    return now;
                }
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return now;
                }
            }
        }
    }

    private final ReleaseService releases;
    private final ReleaseStore store;
    private final BackupService backups;
    private final BackupStore backupStore;
    private final boolean restorePoint;
    private final Completion completion;
    private final PrintStream out;
    private final boolean stepsStreamed;

    /**
     * @param stepsStreamed true when the host's steps were already printed as they happened (the
     *     local agent)
     */
    ReleaseFlow(
            ReleaseService releases,
            ReleaseStore store,
            BackupService backups,
            BackupStore backupStore,
            boolean restorePoint,
            Completion completion,
            PrintStream out,
            boolean stepsStreamed) {
        this.stepsStreamed = stepsStreamed;
        this.releases = releases;
        this.store = store;
        this.backups = backups;
        this.backupStore = backupStore;
        this.restorePoint = restorePoint;
        this.completion = completion;
        this.out = out;
    }

    /** One QM-STEP line from the host, as a person reads it. */
    static String step(String line) {
        String[] p = line.split(" ", 5);
        if (p.length < 4) {
            return "  " + line;
        }
        double secs = Long.parseLong(p[3].matches("\\d+") ? p[3] : "0") / 1000.0;
        return String.format(
                "  %-14s %-6s %6.1f s  %s",
                p[1],
                p[2],
                secs,
                p.length > 4 ? dev.quartermaster.common.Text.oneLine(p[4], 120) : "");
    }

    /**
     * @return the settled record; throws {@link ReleaseService.Refused} when the gate refuses
     *     (nothing sent)
     */
    public ReleaseRecord release(
            String reference, String overrideReason, ReleaseRecord.Kind kind, String who) {
        return release(reference, overrideReason, kind, who, null);
    }

    /**
     * @param host the app host (null: the only one)
     */
    public ReleaseRecord release(
            String reference,
            String overrideReason,
            ReleaseRecord.Kind kind,
            String who,
            String host) {
        long t0 = System.nanoTime();
        ReleaseService.Plan plan = releases.plan(reference, overrideReason, host);
        out.printf(
                "%s %s on %s -> %s (verdict %s%s), version %s; running now: %s%n",
                kind == ReleaseRecord.Kind.ROLLBACK ? "rolling back to" : "releasing",
                reference,
                plan.host(),
                plan.digest().substring(0, 19),
                plan.verdict(),
                plan.overrideReason() == null ? "" : ", FORCED: " + plan.overrideReason(),
                plan.version(),
                plan.previousDigest() == null
                        ? "(no release recorded yet)"
                        : plan.previousDigest().substring(0, 19) + " " + plan.previousVersion());
        String key = restorePoint();
        ReleaseRecord sent = releases.start(plan, key, who, kind);
        ReleaseRecord r = awaitHost(sent);
        if (!r.status().terminal()) {
            out.println(
                    "the host has not reported yet: bin/qm releases shows the outcome when it does (command "
                            + r.commandId()
                            + ")");
            return r;
        }
        out.printf(
                "%s: %s now runs %s@%s, version %s (%s in %.1f s)%s%n",
                r.status(),
                r.host(),
                r.repository(),
                r.running() == null ? "unknown" : r.running().substring(7, 19),
                r.runningVersion() == null ? "unknown" : r.runningVersion(),
                r.kind().name().toLowerCase(),
                (System.nanoTime() - t0) / 1e9,
                r.status() == ReleaseRecord.Status.RELEASED ? "" : ": " + r.reason());
        return r;
    }

    /**
     * Takes the restore point (the project's own verified backup) and prints its step.
     *
     * @return its key, or null when this flow takes none
     * @throws IllegalStateException when it was not verified: nothing may be switched
     */
    String restorePoint() {
        if (!restorePoint) {
            return null;
        }
        long r0 = System.nanoTime();
        BackupRecord started =
                backups.start(
                                "release-" + UUID.randomUUID(),
                                Instant.now().truncatedTo(ChronoUnit.SECONDS))
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "the restore point could not be started"));
        Optional<BackupRecord> done =
                completion.await(
                        () -> backupStore.byCommandId(started.commandId()),
                        b -> b.status().terminal(),
                        ReleaseRoll.RESTORE_POINT_TIMEOUT);
        if (done.isEmpty() || done.get().status() != BackupRecord.Status.VERIFIED) {
            out.printf(
                    "  %-14s %-6s %6.1f s  %s%n",
                    "restore-point",
                    "failed",
                    (System.nanoTime() - r0) / 1e9,
                    done.map(b -> b.status() + ": " + b.error()).orElse("not verified in time"));
            throw new IllegalStateException(
                    "the restore point was not verified: nothing was switched (bin/qm backups shows why)");
        }
        String key = done.get().key();
        out.printf(
                "  %-14s %-6s %6.1f s  %s%n",
                "restore-point", "ok", (System.nanoTime() - r0) / 1e9, key);
        return key;
    }

    /** Waits for the host's settled record and prints its steps (unless streamed already). */
    ReleaseRecord awaitHost(ReleaseRecord sent) {
        Optional<ReleaseRecord> settled =
                completion.await(
                        () -> store.byCommandId(sent.commandId()),
                        r -> r.status().terminal(),
                        ReleaseRoll.HOST_TIMEOUT);
        ReleaseRecord r = settled.orElse(sent);
        if (!stepsStreamed && r.steps() != null) {
            try {
                for (var st : dev.quartermaster.events.EventParser.JSON.readTree(r.steps())) {
                    out.println(
                            step(
                                    "QM-STEP "
                                            + st.path("step").asText()
                                            + " "
                                            + st.path("status").asText()
                                            + " "
                                            + st.path("ms").asLong()
                                            + " "
                                            + st.path("detail").asText()));
                }
            } catch (java.io.IOException e) {
                out.println("  (the host's steps are unreadable: " + e.getMessage() + ")");
            }
        }
        return r;
    }

    /**
     * The rolling release's port on this flow: the same gate, restore point, release document and
     * wait as a one-host release.
     */
    public ReleaseRoll.Hosts hosts() {
        return new ReleaseRoll.Hosts() {
            @Override
            public ReleaseService.Plan plan(String reference, String overrideReason, String host) {
                return releases.plan(reference, overrideReason, host);
            }

            @Override
            public String restorePoint() {
                return ReleaseFlow.this.restorePoint();
            }

            @Override
            public ReleaseRecord start(
                    ReleaseService.Plan plan,
                    String restorePoint,
                    String requestedBy,
                    ReleaseRecord.Kind kind) {
                out.printf(
                        "%s %s: %s@%s (version %s); running now: %s%n",
                        kind == ReleaseRecord.Kind.ROLLBACK ? "returning" : "releasing to",
                        plan.host(),
                        plan.repository(),
                        plan.digest().substring(0, 19),
                        plan.version(),
                        plan.previousDigest() == null
                                ? "(no release recorded yet)"
                                : plan.previousDigest().substring(0, 19));
                return releases.start(plan, restorePoint, requestedBy, kind);
            }

            @Override
            public ReleaseRecord await(ReleaseRecord sent) {
                return awaitHost(sent);
            }
        };
    }
}
