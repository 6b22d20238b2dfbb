package dev.quartermaster.verify;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.Text;
import dev.quartermaster.events.Inspector2Finding;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Records ECR scan findings on the digest and fails images over the gate's thresholds, once per
 * event: the work is claimed before anything is written or alerted. A failed gate holds: a digest's
 * content never changes, so neither Amazon Inspector closing its findings (it does when it stops
 * monitoring an image) nor a later scan counting fewer is a fix. It is lifted only by a finding
 * suppressed in Inspector (the operator's suppression rule) or by {@link #accept} ({@code bin/qm
 * scan accept}), and the ledger records which ({@link ImageRecord.ScanAcceptance}).
 */
public final class ScanService {
    private static final int TAGS_IN_SUBJECT = 3;

    private final LedgerStore ledger;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final ScanGate gate;
    private final FindingStore findings;
    private final dev.quartermaster.ledger.RunningImages running;

    public ScanService(
            LedgerStore ledger, IdempotencyStore idempotency, Alerts alerts, ScanGate gate) {
        this(
                ledger,
                idempotency,
                alerts,
                gate,
                null,
                dev.quartermaster.ledger.RunningImages.none());
    }

    /**
     * With Amazon Inspector's findings (enhanced scanning) and what the hosts run (for
     * RUNNING_IMAGE_VULNERABLE).
     */
    public ScanService(
            LedgerStore ledger,
            IdempotencyStore idempotency,
            Alerts alerts,
            ScanGate gate,
            FindingStore findings,
            dev.quartermaster.ledger.RunningImages running) {
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.gate = gate;
        this.findings = findings;
        this.running = running;
    }

    /**
     * What one finding event did: stale (an older version than recorded), the image now failing,
     * and who was alerted.
     */
    public record FindingResult(
            boolean duplicate,
            boolean stale,
            boolean failed,
            List<String> alerted,
            Map<String, Integer> counts,
            String note) {
        public FindingResult(
                boolean duplicate,
                boolean stale,
                boolean failed,
                List<String> alerted,
                Map<String, Integer> counts) {
            this(duplicate, stale, failed, alerted, counts, null);
        }
    }

    /**
     * The gate's word on a digest after a scan or a finding: {@code failed} what the ledger
     * records, {@code failsNow} whether the counts (less those an acceptance covers) are over the
     * limits, {@code lifted} the acceptance that lifts a failed gate now (a suppression), {@code
     * note} what a person should know (held, lifted), or null.
     */
    record Decision(
            boolean failed, boolean failsNow, ImageRecord.ScanAcceptance lifted, String note) {}

    /**
     * Decides without side effects. {@code counts}: what the content is known to hold (Inspector:
     * every finding not suppressed, closed ones included); {@code suppressed}: the finding this
     * event suppressed, if it did.
     */
    static Decision decide(
            ScanGate gate,
            Map<String, Integer> counts,
            boolean wasFailed,
            ImageRecord.ScanAcceptance accepted,
            Inspector2Finding suppressed) {
        Map<String, Integer> effective = new TreeMap<>(counts);
        if (accepted != null) {
            accepted.counts()
                    .forEach(
                            (k, v) ->
                                    effective.computeIfPresent(
                                            k, (x, c) -> c - v > 0 ? c - v : null));
        }
        if (gate.fails(effective)) {
            return new Decision(
                    true,
                    true,
                    null,
                    accepted == null
                            ? null
                            : "over the limits beyond what was accepted " + accepted.counts());
        }
        if (!wasFailed) {
            return new Decision(false, false, null, null);
        }
        if (suppressed != null) {
            return new Decision(
                    false,
                    false,
                    new ImageRecord.ScanAcceptance(
                            ImageRecord.ScanAcceptance.How.INSPECTOR_SUPPRESSED,
                            "Amazon Inspector",
                            "finding "
                                    + suppressed.findingArn()
                                    + " ("
                                    + suppressed.severity()
                                    + " "
                                    + suppressed.vulnerabilityId()
                                    + ") suppressed",
                            accepted == null ? Map.of() : accepted.counts(),
                            suppressed.updatedAt()),
                    "FAILED_SCAN lifted: a finding was suppressed in Amazon Inspector");
        }
        return new Decision(
                true,
                false,
                null,
                "FAILED_SCAN holds: the counts went down "
                        + counts
                        + ", but a digest's content never changes;"
                        + " suppress the finding in Amazon Inspector or run bin/qm scan accept");
    }

    /**
     * One Inspector finding (new, updated, suppressed or closed): kept per digest (the newest
     * version wins), the gate's counts recomputed from the digest's ACTIVE findings, FAILED_SCAN
     * alerted when the image starts failing, and RUNNING_IMAGE_VULNERABLE when a newly active
     * finding that is CRITICAL or over the gate lands on a digest a host runs, naming the release,
     * the finding and the newest VERIFIED digest without it, if any.
     */
    public FindingResult finding(String eventId, dev.quartermaster.events.Inspector2Finding f) {
        if (findings == null) {
            throw new IllegalStateException("image-scan was built without a finding store");
        }
        String key = "finding#" + eventId;
        if (idempotency.begin(key, Duration.ofMinutes(2)).state()
                != IdempotencyStore.State.ACQUIRED) {
            return new FindingResult(true, false, false, List.of(), Map.of());
        }
        try {
            FindingStore.Recorded rec = findings.record(f);
            if (!rec.applied()) {
                idempotency.complete(key, "STALE");
                return new FindingResult(false, true, false, List.of(), Map.of());
            }
            Map<String, Integer> counts = heldCounts(findings.findings(f.repository(), f.digest()));
            Optional<ImageRecord> image = ledger.image(f.repository(), f.digest());
            boolean wasFailed = image.map(ImageRecord::scanFailed).orElse(false);
            boolean suppression =
                    f.status().equals("SUPPRESSED")
                            && rec.previous()
                                    .map(p -> !p.status().equals("SUPPRESSED"))
                                    .orElse(true);
            ImageRecord.ScanAcceptance accepted =
                    image.map(ImageRecord::scanAcceptance).orElse(null);
            ImageRecord.ScanAcceptance carried = null;
            if (f.status().equals("CLOSED")
                    && rec.previous().map(p -> p.status().equals("SUPPRESSED")).orElse(false)) {
                // a suppressed finding Inspector then closes counts again as held; what the
                // suppression accepted stays accepted
                Map<String, Integer> more =
                        new TreeMap<>(accepted == null ? Map.of() : accepted.counts());
                more.merge(f.severity(), 1, Integer::sum);
                carried =
                        new ImageRecord.ScanAcceptance(
                                ImageRecord.ScanAcceptance.How.INSPECTOR_SUPPRESSED,
                                "Amazon Inspector",
                                Text.oneLine(
                                        "finding "
                                                + f.findingArn()
                                                + " ("
                                                + f.severity()
                                                + " "
                                                + f.vulnerabilityId()
                                                + ") suppressed, then closed"
                                                + (accepted == null
                                                        ? ""
                                                        : "; before: "
                                                                + accepted.how()
                                                                + " by "
                                                                + accepted.by()
                                                                + ": "
                                                                + accepted.reason()),
                                        400),
                                more,
                                f.updatedAt());
                accepted = carried;
            }
            Decision d = decide(gate, counts, wasFailed, accepted, suppression ? f : null);
            boolean failed = d.failed();
            ImageRecord.ScanAcceptance write = d.lifted() != null ? d.lifted() : carried;
            if (write != null) {
                ledger.acceptScan(f.repository(), f.digest(), write, failed);
            }
            ledger.recordScan(f.repository(), f.digest(), counts, failed, f.updatedAt());
            List<String> alerted = new java.util.ArrayList<>();
            if (d.failsNow() && !wasFailed) {
                alerts.publish(
                        alert(
                                f.repository(),
                                f.digest(),
                                counts,
                                image.map(i -> List.copyOf(i.tags())).orElse(List.of())));
                alerted.add("FAILED_SCAN");
            }
            boolean newlyActive = f.active() && rec.previous().map(p -> !p.active()).orElse(true);
            if (newlyActive && (f.severity().equals("CRITICAL") || failed)) {
                String index = image.map(ImageRecord::indexDigest).orElse(null);
                for (dev.quartermaster.ledger.RunningImages.Running r : running.running()) {
                    if (r.repository().equals(f.repository())
                            && (r.digest().equals(f.digest()) || r.digest().equals(index))) {
                        alerts.publish(runningAlert(r, f, replacement(f)));
                        alerted.add("RUNNING_IMAGE_VULNERABLE");
                    }
                }
            }
            idempotency.complete(key, failed ? "FAILED_SCAN" : "OK");
            return new FindingResult(false, false, failed, alerted, counts, d.note());
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /**
     * What the image holds, by severity: every finding but the suppressed ones. A CLOSED finding
     * still counts: Inspector closes an image's findings when it stops monitoring the image
     * (re-scan duration over, the image no longer pulled or in use), and its finding carries no
     * reason for a closure (the Finding shape has a status, no reason), so a closure cannot tell a
     * withdrawn finding from an image Inspector stopped looking at.
     */
    static Map<String, Integer> heldCounts(List<Inspector2Finding> all) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        all.stream()
                .filter(x -> !x.status().equals("SUPPRESSED"))
                .forEach(x -> counts.merge(x.severity(), 1, Integer::sum));
        return counts;
    }

    private static final int REPLACEMENT_CANDIDATES = 20;

    /**
     * The newest VERIFIED, not deleted, not failing digest of the repository none of whose images
     * has the finding's vulnerability active.
     */
    private java.util.Optional<dev.quartermaster.ledger.ImageRecord> replacement(
            dev.quartermaster.events.Inspector2Finding f) {
        List<dev.quartermaster.ledger.ImageRecord> images = ledger.images(f.repository());
        return images.stream()
                .filter(
                        i ->
                                i.verdict() == dev.quartermaster.ledger.ImageVerdict.VERIFIED
                                        && !i.deleted()
                                        && !i.digest().equals(f.digest()))
                .sorted(
                        java.util.Comparator.comparing(
                                dev.quartermaster.ledger.ImageRecord::lastPushedAt,
                                java.util.Comparator.nullsLast(
                                        java.util.Comparator.reverseOrder())))
                .limit(REPLACEMENT_CANDIDATES)
                .filter(
                        i ->
                                java.util.stream.Stream.concat(
                                                java.util.stream.Stream.of(i.digest()),
                                                images.stream()
                                                        .filter(
                                                                c ->
                                                                        i.digest()
                                                                                .equals(
                                                                                        c
                                                                                                .indexDigest()))
                                                        .map(
                                                                dev.quartermaster.ledger.ImageRecord
                                                                        ::digest))
                                        .flatMap(d -> findings.findings(f.repository(), d).stream())
                                        .noneMatch(
                                                x ->
                                                        x.active()
                                                                && x.vulnerabilityId()
                                                                        .equals(
                                                                                f
                                                                                        .vulnerabilityId())))
                .findFirst();
    }

    private static Alert runningAlert(
            dev.quartermaster.ledger.RunningImages.Running r,
            dev.quartermaster.events.Inspector2Finding f,
            java.util.Optional<dev.quartermaster.ledger.ImageRecord> replacement) {
        String fix =
                replacement
                        .map(
                                i ->
                                        " The newest VERIFIED digest without it is "
                                                + i.digest()
                                                + " ("
                                                + describeTags(List.copyOf(i.tags()))
                                                + "): bin/qm release "
                                                + r.repository()
                                                + "@"
                                                + i.digest()
                                                + " --aws")
                        .orElse(
                                " No VERIFIED digest of "
                                        + r.repository()
                                        + " is free of it yet: rebuild the image with the fix and push it.");
        Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("repository", r.repository());
        details.put("digest", r.digest());
        details.put("host", r.host());
        details.put("finding", f.findingArn());
        details.put("vulnerability", f.vulnerabilityId());
        details.put("severity", f.severity());
        replacement.ifPresent(i -> details.put("replacement", i.digest()));
        return new Alert(
                        "RUNNING_IMAGE_VULNERABLE",
                        "RUNNING_IMAGE_VULNERABLE: "
                                + f.severity()
                                + " "
                                + f.vulnerabilityId()
                                + " on "
                                + r.host(),
                        "Amazon Inspector found "
                                + f.severity()
                                + " "
                                + f.vulnerabilityId()
                                + " ("
                                + f.title()
                                + ") in "
                                + f.repository()
                                + "@"
                                + f.digest()
                                + ", which host "
                                + r.host()
                                + " runs since "
                                + r.since()
                                + " (release of "
                                + r.repository()
                                + ":"
                                + r.tag()
                                + ", "
                                + r.digest()
                                + ")."
                                + fix,
                        details)
                .withNext(
                        replacement
                                .map(
                                        i ->
                                                "bin/qm release "
                                                        + r.repository()
                                                        + "@"
                                                        + i.digest()
                                                        + " --aws")
                                .orElse(
                                        "bin/qm ledger "
                                                + f.repository()
                                                + "@"
                                                + f.digest()
                                                + " --aws"));
    }

    /**
     * What one scan event did; {@code duplicate} when the event was handled before (or is being
     * handled).
     */
    public record Result(boolean duplicate, boolean failed, String note) {
        public Result(boolean duplicate, boolean failed) {
            this(duplicate, failed, null);
        }
    }

    public Result record(
            String eventId,
            String repository,
            String digest,
            Map<String, Integer> counts,
            List<String> tags,
            Instant at) {
        String key = "scan#" + eventId;
        if (idempotency.begin(key, Duration.ofMinutes(2)).state()
                != IdempotencyStore.State.ACQUIRED) {
            return new Result(true, false);
        }
        try {
            Optional<ImageRecord> image = ledger.image(repository, digest);
            Decision d =
                    decide(
                            gate,
                            counts,
                            image.map(ImageRecord::scanFailed).orElse(false),
                            image.map(ImageRecord::scanAcceptance).orElse(null),
                            null);
            ledger.recordScan(repository, digest, counts, d.failed(), at);
            if (d.failsNow()) {
                alerts.publish(alert(repository, digest, counts, tags));
            }
            idempotency.complete(key, d.failed() ? "FAILED_SCAN" : "OK");
            return new Result(false, d.failed(), d.note());
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    /** An acceptance the ledger refuses; nothing was written. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /**
     * The operator's acceptance of a FAILED_SCAN digest ({@code bin/qm scan accept REPO@DIGEST
     * --reason TEXT}): recorded with who, why, when and the counts accepted (a finding beyond them
     * fails the digest again), and alerted so the team sees the override.
     */
    public ImageRecord.ScanAcceptance accept(
            String repository, String digest, String by, String reason, Instant at) {
        if (reason == null || reason.isBlank()) {
            throw new Refused(
                    "--reason TEXT is required: the acceptance is recorded with who accepted it and why");
        }
        ImageRecord image =
                ledger.image(repository, digest)
                        .orElseThrow(
                                () ->
                                        new Refused(
                                                "the ledger has no image "
                                                        + repository
                                                        + "@"
                                                        + digest
                                                        + " (bin/qm ledger "
                                                        + repository
                                                        + ")"));
        if (!image.scanFailed()) {
            throw new Refused(
                    repository
                            + "@"
                            + digest
                            + " is not FAILED_SCAN (verdict "
                            + (image.verdict() == null ? "not verified yet" : image.verdict())
                            + "): there is nothing to accept");
        }
        Map<String, Integer> counts = image.scanCounts() == null ? Map.of() : image.scanCounts();
        ImageRecord.ScanAcceptance a =
                new ImageRecord.ScanAcceptance(
                        ImageRecord.ScanAcceptance.How.OPERATOR,
                        Text.oneLine(by, 128),
                        Text.oneLine(reason, 400),
                        counts,
                        at);
        ledger.acceptScan(repository, digest, a, false);
        alerts.publish(
                new Alert(
                                "SCAN_ACCEPTED",
                                "SCAN_ACCEPTED: "
                                        + repository
                                        + "@"
                                        + digest.substring(0, 19)
                                        + " "
                                        + counts,
                                a.by()
                                        + " accepted the failed scan of "
                                        + repository
                                        + "@"
                                        + digest
                                        + " "
                                        + counts
                                        + ": "
                                        + a.reason()
                                        + ". A finding beyond these counts fails it again; bin/qm ledger "
                                        + repository
                                        + "@"
                                        + digest
                                        + " shows the record.",
                                Map.of("repository", repository, "digest", digest, "by", a.by()))
                        .withNext("bin/qm ledger " + repository + "@" + digest + " --aws"));
        return a;
    }

    /**
     * Tags come from the event: a few of them, each bounded, in the subject; the message names how
     * many.
     */
    static String describeTags(List<String> tags) {
        if (tags.isEmpty()) {
            return "(untagged)";
        }
        List<String> shown =
                tags.stream()
                        .limit(TAGS_IN_SUBJECT)
                        .map(t -> t.length() > 40 ? t.substring(0, 39) + "~" : t)
                        .toList();
        return String.join(",", shown)
                + (tags.size() > TAGS_IN_SUBJECT
                        ? " (+" + (tags.size() - TAGS_IN_SUBJECT) + " more)"
                        : "");
    }

    private Alert alert(
            String repository, String digest, Map<String, Integer> counts, List<String> tags) {
        String described = describeTags(tags);
        return new Alert(
                        "FAILED_SCAN",
                        "FAILED_SCAN: " + repository + ":" + described + " " + counts,
                        "ECR's scan of "
                                + repository
                                + "@"
                                + digest
                                + " ("
                                + described
                                + ") found "
                                + counts
                                + ", above the limits (CRITICAL > "
                                + gate.maxCritical()
                                + (gate.maxHigh() >= 0 ? " or HIGH > " + gate.maxHigh() : "")
                                + ").",
                        Map.of(
                                "repository",
                                repository,
                                "digest",
                                digest,
                                "verdict",
                                "FAILED_SCAN"))
                .withNext("bin/qm ledger " + repository + "@" + digest + " --aws");
    }
}
