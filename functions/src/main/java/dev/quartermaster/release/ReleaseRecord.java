package dev.quartermaster.release;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One release (or rollback, or drift check) of an app on one of its hosts: what was asked, by whom,
 * and what the host proved. {@code fromDigest} is what ran before; {@code running} what runs after
 * (the new digest when RELEASED, the previous one when ROLLED_BACK).
 */
public record ReleaseRecord(
        String app,
        String host,
        String commandId,
        Kind kind,
        Status status,
        String repository,
        String tag,
        String toDigest,
        String expectedVersion,
        String fromDigest,
        String requestedBy,
        Instant requestedAt,
        String restorePoint,
        String overrideReason,
        String running,
        String runningVersion,
        String reason,
        String steps,
        Instant finishedAt) {

    public enum Kind {
        RELEASE,
        ROLLBACK,
        CHECK
    }

    public enum Status {
        /**
         * SENT: the audit record of an override, written before its command is sent (its reason
         * names the command).
         */
        RUNNING,
        RELEASED,
        ROLLED_BACK,
        ROLLBACK_FAILED,
        REFUSED,
        FAILED,
        CHECKED,
        SENT;

        public boolean terminal() {
            return this != RUNNING;
        }
    }

    /**
     * What ran before, as the host found it (a first release on a host, with no release recorded
     * before, learns it only from the host's report).
     */
    public ReleaseRecord withFromDigest(String digest) {
        return new ReleaseRecord(
                app,
                host,
                commandId,
                kind,
                status,
                repository,
                tag,
                toDigest,
                expectedVersion,
                digest,
                requestedBy,
                requestedAt,
                restorePoint,
                overrideReason,
                running,
                runningVersion,
                reason,
                steps,
                finishedAt);
    }

    /** This record ended with {@code status} for {@code reason} (nothing the host reported). */
    public ReleaseRecord settled(Status status, String reason, Instant at) {
        return new ReleaseRecord(
                app,
                host,
                commandId,
                kind,
                status,
                repository,
                tag,
                toDigest,
                expectedVersion,
                fromDigest,
                requestedBy,
                requestedAt,
                restorePoint,
                overrideReason,
                running,
                runningVersion,
                reason,
                steps,
                at);
    }

    public boolean forced() {
        return overrideReason != null;
    }

    /**
     * How a drift check's reason starts when the host runs another digest than released: the
     * verdict, as the record keeps it.
     */
    static final String DRIFT = "DRIFT: ";

    /** A drift check that found the host running another digest than the last release put there. */
    public boolean drifted() {
        return kind == Kind.CHECK && reason != null && reason.startsWith(DRIFT);
    }

    /** The outcome the host reported, settled. */
    public ReleaseRecord settled(
            Status s,
            String runningDigest,
            String version,
            String why,
            String stepsJson,
            Instant at) {
        return new ReleaseRecord(
                app,
                host,
                commandId,
                kind,
                s,
                repository,
                tag,
                toDigest,
                expectedVersion,
                fromDigest,
                requestedBy,
                requestedAt,
                restorePoint,
                overrideReason,
                runningDigest,
                version,
                why,
                stepsJson,
                at);
    }

    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("app", app);
        d.put("host", host);
        d.put("commandId", commandId);
        d.put("kind", kind.name());
        d.put("status", status.name());
        d.put("repository", repository);
        if (tag != null) {
            d.put("tag", tag);
        }
        d.put("to", toDigest);
        d.put("from", fromDigest);
        d.put("running", running);
        d.put("version", runningVersion);
        d.put("restorePoint", restorePoint);
        if (overrideReason != null) {
            d.put("overrideReason", overrideReason);
        }
        if (reason != null) {
            d.put("reason", reason);
        }
        return d;
    }
}
