package dev.quartermaster.verify;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.LedgerStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Records ECR scan findings on the digest and fails images over the gate's thresholds, once per
 * event: the work is claimed before anything is written or alerted.
 */
public final class ScanService {
    private static final int TAGS_IN_SUBJECT = 3;

    private final LedgerStore ledger;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final ScanGate gate;

    public ScanService(LedgerStore ledger, IdempotencyStore idempotency, Alerts alerts, ScanGate gate) {
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.gate = gate;
    }

    /** What one scan event did; {@code duplicate} when the event was handled before (or is being handled). */
    public record Result(boolean duplicate, boolean failed) {
    }

    public Result record(String eventId, String repository, String digest, Map<String, Integer> counts, List<String> tags, Instant at) {
        String key = "scan#" + eventId;
        if (idempotency.begin(key, Duration.ofMinutes(2)).state() != IdempotencyStore.State.ACQUIRED) {
            return new Result(true, false);
        }
        try {
            boolean failed = gate.fails(counts);
            ledger.recordScan(repository, digest, counts, failed, at);
            if (failed) {
                alerts.publish(alert(repository, digest, counts, tags));
            }
            idempotency.complete(key, failed ? "FAILED_SCAN" : "OK");
            return new Result(false, failed);
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /** Tags come from the event: a few of them, each bounded, in the subject; the message names how many. */
    static String describeTags(List<String> tags) {
        if (tags.isEmpty()) {
            return "(untagged)";
        }
        List<String> shown = tags.stream().limit(TAGS_IN_SUBJECT).map(t -> t.length() > 40 ? t.substring(0, 39) + "~" : t).toList();
        return String.join(",", shown) + (tags.size() > TAGS_IN_SUBJECT ? " (+" + (tags.size() - TAGS_IN_SUBJECT) + " more)" : "");
    }

    private Alert alert(String repository, String digest, Map<String, Integer> counts, List<String> tags) {
        String described = describeTags(tags);
        return new Alert("FAILED_SCAN", "FAILED_SCAN: " + repository + ":" + described + " " + counts,
                "ECR's scan of " + repository + "@" + digest + " (" + described + ") found " + counts + ", above the limits (CRITICAL > "
                        + gate.maxCritical() + (gate.maxHigh() >= 0 ? " or HIGH > " + gate.maxHigh() : "") + ").",
                Map.of("repository", repository, "digest", digest, "verdict", "FAILED_SCAN"));
    }
}
