package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Text;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Platform;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageScan;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.Validation;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code image-scan}: records ECR scan findings on the digest and fails images over the thresholds. */
public final class ScanHandler extends EventFunction {
    private final ScanService service;

    /** Lambda's constructor: the ports are built once per container from the environment. */
    public ScanHandler() {
        this(Platform.fromEnvironment());
    }

    private ScanHandler(Platform platform) {
        this(VerifyRoot.scans(platform));
        acceptingOnly(platform.origin());
    }

    public ScanHandler(ScanService service) {
        this.service = service;
    }

    @Override
    protected Outcome handle(JsonNode json) {
        AwsEvent<EcrImageScan> event = EventParser.parse(json, EcrImageScan.class, EcrImageScan.SOURCE, Set.of(EcrImageScan.DETAIL_TYPE));
        EcrImageScan d = event.detail();
        String repo = Validation.repository(d.repositoryName());
        String digest = Validation.digest(d.imageDigest());
        if (!"COMPLETE".equals(d.scanStatus())) {
            return Outcome.ignored("scan status " + Text.oneLine(d.scanStatus(), 40) + " (only COMPLETE scans are recorded)");
        }
        Map<String, Integer> counts = d.severityCounts();
        List<String> tags = Validation.tags(d.imageTags());
        ScanService.Result result = service.record(event.id(), repo, digest, counts, tags, event.time());
        if (result.duplicate()) {
            return Outcome.duplicate("scan event " + event.id() + " was already recorded");
        }
        if (result.failed()) {
            dev.quartermaster.common.QmMetrics.countFor(dev.quartermaster.contract.Metric.SCAN_GATE_FAILED, repo);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", repo);
        details.put("digest", digest);
        details.put("counts", counts);
        details.put("failed", result.failed());
        return Outcome.recorded(repo + "@" + digest.substring(7, 19) + (result.failed() ? " FAILED_SCAN " : " scan ok ") + counts, details);
    }
}
