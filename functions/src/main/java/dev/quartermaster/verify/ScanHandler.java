package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Text;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageScan;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.Inspector2Finding;
import dev.quartermaster.events.Validation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code image-scan}: records ECR scan findings on the digest and fails images over the thresholds.
 */
public final class ScanHandler extends EventFunction {
    private final ScanService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ScanHandler() {
        this(Platform.fromEnvironment());
    }

    /**
     * The function built from {@code platform}: Lambda's environment, or bin/qm's and the tests'
     * (app/Handlers builds every function so).
     */
    public ScanHandler(Platform platform) {
        this(VerifyRoot.scans(platform));
        wiredTo(platform);
    }

    public ScanHandler(ScanService service) {
        this.service = service;
    }

    /**
     * Priming (run through PrimingGuard: only reads leave the process): a completed basic scan of a
     * digest nothing has.
     */
    @Override
    protected dev.quartermaster.common.Primer primer() {
        return handle -> {
            handle.accept(primingEvent("image-scan-clean.json"));
        };
    }

    @Override
    protected Outcome handle(JsonNode json) {
        String detailType = json.path("detail-type").asText("");
        if (dev.quartermaster.events.Inspector2Finding.DETAIL_TYPE.equals(detailType)) {
            return finding(json);
        }
        if (dev.quartermaster.events.Inspector2Scan.DETAIL_TYPE.equals(detailType)) {
            AwsEvent<dev.quartermaster.events.Inspector2Scan> event =
                    EventParser.parse(
                            json,
                            dev.quartermaster.events.Inspector2Scan.class,
                            dev.quartermaster.events.Inspector2Scan.SOURCE,
                            Set.of(dev.quartermaster.events.Inspector2Scan.DETAIL_TYPE));
            var d = event.detail();
            origin().requireOwn(
                            Inspector2Finding.accountOfArn(d.repositoryName()),
                            "repository " + Validation.abbreviate(d.repositoryName()));
            String status = d.scanStatus() == null ? "" : d.scanStatus();
            String repo = d.repository();
            String digest = Validation.digest(d.imageDigest());
            if (!status.endsWith(
                    "COMPLETE")) { // INITIAL_SCAN_COMPLETE; other statuses say the image is not (or
                // no longer) scanned
                return Outcome.ignored(
                        "Inspector scan status "
                                + Text.oneLine(status, 40)
                                + " (only completed scans are recorded)");
            }
            return recorded(
                    event, repo, digest, d.severityCounts(), Validation.tags(d.imageTags()));
        }
        AwsEvent<EcrImageScan> event =
                EventParser.parse(
                        json,
                        EcrImageScan.class,
                        EcrImageScan.SOURCE,
                        Set.of(EcrImageScan.DETAIL_TYPE));
        EcrImageScan d = event.detail();
        String repo = Validation.repository(d.repositoryName());
        String digest = Validation.digest(d.imageDigest());
        if (!"COMPLETE".equals(d.scanStatus())) {
            return Outcome.ignored(
                    "scan status "
                            + Text.oneLine(d.scanStatus(), 40)
                            + " (only COMPLETE scans are recorded)");
        }
        return recorded(event, repo, digest, d.severityCounts(), Validation.tags(d.imageTags()));
    }

    private Outcome finding(JsonNode json) {
        AwsEvent<JsonNode> event =
                EventParser.parse(
                        json,
                        JsonNode.class,
                        dev.quartermaster.events.Inspector2Finding.SOURCE,
                        Set.of(dev.quartermaster.events.Inspector2Finding.DETAIL_TYPE));
        origin().requireOwn(Inspector2Finding.imageAccount(event.detail()), "the finding's image");
        var f = Inspector2Finding.read(event.detail());
        ScanService.FindingResult r = service.finding(event.id(), f);
        String what =
                f.repository()
                        + "@"
                        + f.digest().substring(7, 19)
                        + " "
                        + f.severity()
                        + " "
                        + f.vulnerabilityId()
                        + " "
                        + f.status();
        if (r.duplicate()) {
            return Outcome.duplicate("finding event " + event.id() + " was already recorded");
        }
        if (r.stale()) {
            return Outcome.ignored(what + ": a newer version of this finding is recorded");
        }
        dev.quartermaster.common.QmMetrics.count(
                dev.quartermaster.contract.Metric.INSPECTOR_FINDINGS);
        if (r.failed()) {
            dev.quartermaster.common.QmMetrics.countFor(
                    dev.quartermaster.contract.Metric.SCAN_GATE_FAILED, f.repository());
        }
        if (r.alerted().contains("RUNNING_IMAGE_VULNERABLE")) {
            dev.quartermaster.common.QmMetrics.countFor(
                    dev.quartermaster.contract.Metric.RUNNING_IMAGE_VULNERABLE, f.repository());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", f.repository());
        details.put("digest", f.digest());
        details.put("finding", f.findingArn());
        details.put("counts", r.counts());
        details.put("failed", r.failed());
        details.put("alerted", r.alerted());
        if (r.note() != null) {
            details.put("gate", r.note());
        }
        return Outcome.recorded(
                what
                        + (r.alerted().isEmpty() ? "" : " " + String.join(", ", r.alerted()))
                        + (r.note() == null ? "" : "; " + r.note()),
                details);
    }

    private Outcome recorded(
            AwsEvent<?> event,
            String repo,
            String digest,
            Map<String, Integer> counts,
            List<String> tags) {
        ScanService.Result result =
                service.record(event.id(), repo, digest, counts, tags, event.time());
        if (result.duplicate()) {
            return Outcome.duplicate("scan event " + event.id() + " was already recorded");
        }
        if (result.failed()) {
            dev.quartermaster.common.QmMetrics.countFor(
                    dev.quartermaster.contract.Metric.SCAN_GATE_FAILED, repo);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", repo);
        details.put("digest", digest);
        details.put("counts", counts);
        details.put("failed", result.failed());
        if (result.note() != null) {
            details.put("gate", result.note());
        }
        return Outcome.recorded(
                repo
                        + "@"
                        + digest.substring(7, 19)
                        + (result.failed() ? " FAILED_SCAN " : " scan ok ")
                        + counts,
                details);
    }
}
