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
    private final FindingStore findings;
    private final dev.quartermaster.ledger.RunningImages running;

    public ScanService(LedgerStore ledger, IdempotencyStore idempotency, Alerts alerts, ScanGate gate) {
        this(ledger, idempotency, alerts, gate, null, dev.quartermaster.ledger.RunningImages.none());
    }

    /** With Amazon Inspector's findings (enhanced scanning) and what the hosts run (for RUNNING_IMAGE_VULNERABLE). */
    public ScanService(LedgerStore ledger, IdempotencyStore idempotency, Alerts alerts, ScanGate gate, FindingStore findings, dev.quartermaster.ledger.RunningImages running) {
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.gate = gate;
        this.findings = findings;
        this.running = running;
    }

    /** What one finding event did: stale (an older version than recorded), the image now failing, and who was alerted. */
    public record FindingResult(boolean duplicate, boolean stale, boolean failed, List<String> alerted, Map<String, Integer> counts) {
    }

    /**
     * One Inspector finding (new, updated, suppressed or closed): kept per digest (the newest version wins), the gate's
     * counts recomputed from the digest's ACTIVE findings, FAILED_SCAN alerted when the image starts failing, and
     * RUNNING_IMAGE_VULNERABLE when a newly active finding that is CRITICAL or over the gate lands on a digest a host runs,
     * naming the release, the finding and the newest VERIFIED digest without it, if any.
     */
    public FindingResult finding(String eventId, dev.quartermaster.events.Inspector2Finding f) {
        if (findings == null) {
            throw new IllegalStateException("image-scan was built without a finding store");
        }
        String key = "finding#" + eventId;
        if (idempotency.begin(key, Duration.ofMinutes(2)).state() != IdempotencyStore.State.ACQUIRED) {
            return new FindingResult(true, false, false, List.of(), Map.of());
        }
        try {
            FindingStore.Recorded rec = findings.record(f);
            if (!rec.applied()) {
                idempotency.complete(key, "STALE");
                return new FindingResult(false, true, false, List.of(), Map.of());
            }
            Map<String, Integer> counts = activeCounts(findings.findings(f.repository(), f.digest()));
            java.util.Optional<dev.quartermaster.ledger.ImageRecord> image = ledger.image(f.repository(), f.digest());
            boolean wasFailed = image.map(dev.quartermaster.ledger.ImageRecord::scanFailed).orElse(false);
            boolean failed = gate.fails(counts);
            ledger.recordScan(f.repository(), f.digest(), counts, failed, f.updatedAt());
            List<String> alerted = new java.util.ArrayList<>();
            if (failed && !wasFailed) {
                alerts.publish(alert(f.repository(), f.digest(), counts, image.map(i -> List.copyOf(i.tags())).orElse(List.of())));
                alerted.add("FAILED_SCAN");
            }
            boolean newlyActive = f.active() && rec.previous().map(p -> !p.active()).orElse(true);
            if (newlyActive && (f.severity().equals("CRITICAL") || failed)) {
                String index = image.map(dev.quartermaster.ledger.ImageRecord::indexDigest).orElse(null);
                for (dev.quartermaster.ledger.RunningImages.Running r : running.running()) {
                    if (r.repository().equals(f.repository()) && (r.digest().equals(f.digest()) || r.digest().equals(index))) {
                        alerts.publish(runningAlert(r, f, replacement(f)));
                        alerted.add("RUNNING_IMAGE_VULNERABLE");
                    }
                }
            }
            idempotency.complete(key, failed ? "FAILED_SCAN" : "OK");
            return new FindingResult(false, false, failed, alerted, counts);
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    static Map<String, Integer> activeCounts(List<dev.quartermaster.events.Inspector2Finding> all) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        all.stream().filter(dev.quartermaster.events.Inspector2Finding::active).forEach(x -> counts.merge(x.severity(), 1, Integer::sum));
        return counts;
    }

    private static final int REPLACEMENT_CANDIDATES = 20;

    /** The newest VERIFIED, not deleted, not failing digest of the repository none of whose images has the finding's vulnerability active. */
    private java.util.Optional<dev.quartermaster.ledger.ImageRecord> replacement(dev.quartermaster.events.Inspector2Finding f) {
        List<dev.quartermaster.ledger.ImageRecord> images = ledger.images(f.repository());
        return images.stream()
                .filter(i -> i.verdict() == dev.quartermaster.ledger.ImageVerdict.VERIFIED && !i.deleted() && !i.digest().equals(f.digest()))
                .sorted(java.util.Comparator.comparing(dev.quartermaster.ledger.ImageRecord::lastPushedAt,
                        java.util.Comparator.nullsLast(java.util.Comparator.reverseOrder())))
                .limit(REPLACEMENT_CANDIDATES)
                .filter(i -> java.util.stream.Stream.concat(java.util.stream.Stream.of(i.digest()),
                                images.stream().filter(c -> i.digest().equals(c.indexDigest())).map(dev.quartermaster.ledger.ImageRecord::digest))
                        .flatMap(d -> findings.findings(f.repository(), d).stream())
                        .noneMatch(x -> x.active() && x.vulnerabilityId().equals(f.vulnerabilityId())))
                .findFirst();
    }

    private static Alert runningAlert(dev.quartermaster.ledger.RunningImages.Running r, dev.quartermaster.events.Inspector2Finding f,
                                      java.util.Optional<dev.quartermaster.ledger.ImageRecord> replacement) {
        String fix = replacement.map(i -> " The newest VERIFIED digest without it is " + i.digest() + " (" + describeTags(List.copyOf(i.tags()))
                        + "): bin/qm release " + r.repository() + "@" + i.digest() + " --aws")
                .orElse(" No VERIFIED digest of " + r.repository() + " is free of it yet: rebuild the image with the fix and push it.");
        Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("repository", r.repository());
        details.put("digest", r.digest());
        details.put("host", r.host());
        details.put("finding", f.findingArn());
        details.put("vulnerability", f.vulnerabilityId());
        details.put("severity", f.severity());
        replacement.ifPresent(i -> details.put("replacement", i.digest()));
        return new Alert("RUNNING_IMAGE_VULNERABLE", "RUNNING_IMAGE_VULNERABLE: " + f.severity() + " " + f.vulnerabilityId() + " on " + r.host(),
                "Amazon Inspector found " + f.severity() + " " + f.vulnerabilityId() + " (" + f.title() + ") in " + f.repository() + "@" + f.digest()
                        + ", which host " + r.host() + " runs since " + r.since() + " (release of " + r.repository() + ":" + r.tag() + ", "
                        + r.digest() + ")." + fix, details);
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
