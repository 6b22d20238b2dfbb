package dev.quartermaster.release;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rolling release of one digest over the app hosts, recorded step by step: an operator whose
 * laptop went away reads where it stopped ({@code bin/qm releases}, {@code status}) and finishes it
 * ({@code bin/qm release --resume} or {@code bin/qm rollback}).
 *
 * @param kind RELEASE, or ROLLBACK when every host returns to its previous digest
 * @param digest the digest every host is to run (for a ROLLBACK: null, each host has its own)
 * @param hosts the app hosts in roll order, each with its state
 * @param onFailure what the first failure does to the hosts already switched
 * @param reason why the roll ended as it did (the failing host, step and output), or null
 * @param database what was done to the database after a failed roll (DatabaseReturn), or null
 */
public record RollRecord(
        String app,
        String rollId,
        ReleaseRecord.Kind kind,
        String repository,
        String tag,
        String digest,
        String version,
        String requestedBy,
        Instant startedAt,
        String restorePoint,
        String overrideReason,
        int batch,
        OnFailure onFailure,
        List<HostStep> hosts,
        Status status,
        String reason,
        String database,
        String lockNote,
        Instant finishedAt) {

    public RollRecord {
        hosts = List.copyOf(hosts);
    }

    public enum Status {
        RUNNING,
        /** Every host switched and proved itself. */
        DONE,
        /**
         * A host failed; the hosts switched before it went back (or tried to: see their states).
         */
        FAILED,
        /** A host failed and the roll stopped there (--on-failure stop): the site is mixed. */
        STOPPED;

        public boolean finished() {
            return this == DONE || this == FAILED;
        }
    }

    public enum OnFailure {
        ROLLBACK,
        STOP
    }

    public enum HostState {
        /** Not sent yet (or sent and not settled: see commandId). */
        PENDING,
        /** Released and proven. */
        SWITCHED,
        /** Its release failed (the host rolled itself back, or could not: see detail). */
        FAILED,
        /** Switched, then back on its previous digest, proven. */
        RETURNED,
        /** Switched, and its return failed: what runs there is in detail. */
        RETURN_FAILED
    }

    /**
     * One host of the roll.
     *
     * @param toDigest what the roll puts there (the roll's digest; for a ROLLBACK roll, this host's
     *     previous one)
     * @param fromDigest what ran there before the roll (the digest a return goes back to)
     * @param commandId the release command sent to it (null until sent)
     * @param returnCommandId the rollback command that returned it (null unless returned)
     * @param running what the last settled command proved runs there (null when unknown)
     * @param detail the last outcome in one line (the failing step and its output, a return's
     *     result)
     */
    public record HostStep(
            String host,
            HostState state,
            String toDigest,
            String fromDigest,
            String fromVersion,
            String commandId,
            String returnCommandId,
            String running,
            String detail) {

        public static HostStep pending(
                String host, String toDigest, String fromDigest, String fromVersion) {
            return new HostStep(
                    host,
                    HostState.PENDING,
                    toDigest,
                    fromDigest,
                    fromVersion,
                    null,
                    null,
                    null,
                    null);
        }

        /**
         * What ran before, as the host reported it, for a host with no release recorded before the
         * roll (kept when already known).
         */
        public HostStep reportedFrom(String digest) {
            if (fromDigest != null || digest == null || digest.equals(toDigest)) {
                return this;
            }
            return new HostStep(
                    host,
                    state,
                    toDigest,
                    digest,
                    fromVersion,
                    commandId,
                    returnCommandId,
                    running,
                    detail);
        }

        public HostStep sent(String command) {
            return new HostStep(
                    host,
                    state,
                    toDigest,
                    fromDigest,
                    fromVersion,
                    command,
                    returnCommandId,
                    running,
                    detail);
        }

        public HostStep with(HostState s, String runningNow, String why) {
            return new HostStep(
                    host,
                    s,
                    toDigest,
                    fromDigest,
                    fromVersion,
                    commandId,
                    returnCommandId,
                    runningNow,
                    why);
        }

        public HostStep returning(String command) {
            return new HostStep(
                    host,
                    state,
                    toDigest,
                    fromDigest,
                    fromVersion,
                    commandId,
                    command,
                    running,
                    detail);
        }
    }

    public Optional<HostStep> host(String name) {
        return hosts.stream().filter(h -> h.host().equals(name)).findFirst();
    }

    /**
     * This roll (its app, id, image, start, override, batch and failure policy unchanged) with the
     * fields its progress changes.
     */
    private RollRecord progress(
            String requestedBy,
            String restorePoint,
            List<HostStep> hosts,
            Status status,
            String reason,
            String database,
            String lockNote,
            Instant finishedAt) {
        return new RollRecord(
                app,
                rollId,
                kind,
                repository,
                tag,
                digest,
                version,
                requestedBy,
                startedAt,
                restorePoint,
                overrideReason,
                batch,
                onFailure,
                hosts,
                status,
                reason,
                database,
                lockNote,
                finishedAt);
    }

    /** This record with one host's step replaced. */
    public RollRecord withHost(HostStep step) {
        List<HostStep> next = new ArrayList<>();
        for (HostStep h : hosts) {
            next.add(h.host().equals(step.host()) ? step : h);
        }
        return progress(
                requestedBy, restorePoint, next, status, reason, database, lockNote, finishedAt);
    }

    public RollRecord withRestorePoint(String key) {
        return progress(requestedBy, key, hosts, status, reason, database, lockNote, finishedAt);
    }

    /** Who drives the roll now, and how the lock was taken (a resumed roll). */
    public RollRecord resumedBy(String who, String note) {
        return progress(
                who,
                restorePoint,
                hosts,
                Status.RUNNING,
                null,
                database,
                note == null ? lockNote : (lockNote == null ? note : lockNote + "; " + note),
                null);
    }

    public RollRecord ended(Status s, String why, String databaseLine, Instant at) {
        return progress(requestedBy, restorePoint, hosts, s, why, databaseLine, lockNote, at);
    }

    /**
     * Hosts whose recorded state leaves them on different digests: "web1 runs X, web2 runs Y", or
     * empty when every host runs the same (or nothing is known).
     */
    public Optional<String> mixed() {
        Map<String, String> runs = new LinkedHashMap<>();
        for (HostStep h : hosts) {
            runs.put(h.host(), runs(h));
        }
        if (runs.values().stream().distinct().count() <= 1) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        runs.forEach((h, d) -> parts.add(h + " runs " + shortDigest(d)));
        return Optional.of("mixed: " + String.join(", ", parts));
    }

    /**
     * What the record says runs on a host: its proven digest, else what ran before the roll when
     * nothing was sent to it (null: unknown, e.g. sent and not settled).
     */
    public static String runs(HostStep h) {
        if (h.running() != null) {
            return h.running();
        }
        return switch (h.state()) {
            case PENDING -> h.commandId() == null ? h.fromDigest() : null;
            case RETURNED -> h.fromDigest();
            default -> null;
        };
    }

    static String shortDigest(String d) {
        if (d == null) {
            return "unknown";
        }
        return d.startsWith("sha256:") && d.length() >= 19 ? d.substring(0, 19) : d;
    }

    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("rollId", rollId);
        d.put("kind", kind.name());
        d.put("status", status.name());
        d.put("repository", repository);
        if (tag != null) {
            d.put("tag", tag);
        }
        d.put("digest", digest);
        d.put("version", version);
        d.put("requestedBy", requestedBy);
        d.put("startedAt", String.valueOf(startedAt));
        d.put("restorePoint", restorePoint);
        d.put("batch", batch);
        d.put("onFailure", onFailure.name());
        List<Map<String, Object>> hs = new ArrayList<>();
        for (HostStep h : hosts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", h.host());
            m.put("state", h.state().name());
            m.put("from", h.fromDigest());
            m.put("running", runs(h));
            if (h.detail() != null) {
                m.put("detail", h.detail());
            }
            hs.add(m);
        }
        d.put("hostSteps", hs);
        mixed().ifPresent(m -> d.put("mixed", m));
        if (reason != null) {
            d.put("reason", reason);
        }
        if (database != null) {
            d.put("databaseReturn", database);
        }
        if (lockNote != null) {
            d.put("lock", lockNote);
        }
        d.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        return d;
    }
}
