package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Services;
import dev.quartermaster.events.AwsEvent;
import dev.quartermaster.events.EcrImageScan;
import dev.quartermaster.events.EventParser;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;
import dev.quartermaster.ledger.LedgerStore;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code image-scan}: records ECR scan findings on the digest and fails images over the thresholds. */
public final class ScanHandler extends EventFunction {
    private final LedgerStore ledger;
    private final Alerts alerts;
    private final ScanGate gate;

    public ScanHandler() {
        this(Services.fromEnvironment());
    }

    public ScanHandler(Services services) {
        this.ledger = services.ledgerStore();
        this.alerts = services.alerts();
        this.gate = new ScanGate(services.settings().getInt("SCAN_MAX_CRITICAL", 0), services.settings().getInt("SCAN_MAX_HIGH", -1));
    }

    @Override
    protected Outcome handle(JsonNode json) {
        AwsEvent<EcrImageScan> event = EventParser.parse(json, EcrImageScan.class, EcrImageScan.SOURCE, Set.of(EcrImageScan.DETAIL_TYPE));
        EcrImageScan d = event.detail();
        String repo = Validation.repository(d.repositoryName());
        String digest = Validation.digest(d.imageDigest());
        if (!"COMPLETE".equals(d.scanStatus())) {
            return Outcome.ignored("scan status " + d.scanStatus() + " (only COMPLETE scans are recorded)");
        }
        Map<String, Integer> counts = new TreeMap<>();
        if (d.findingSeverityCounts() != null) {
            d.findingSeverityCounts().forEach((k, v) -> {
                if (v == null || v < 0) {
                    throw new MalformedEventException("finding-severity-counts." + k + " is not a count");
                }
                counts.put(k, v);
            });
        }
        boolean failed = gate.fails(counts);
        ledger.recordScan(repo, digest, counts, failed, event.time());
        String tags = d.imageTags() == null || d.imageTags().isEmpty() ? "(untagged)" : String.join(",", d.imageTags());
        if (failed && !ledger.isDone("scan-alert#" + event.id())) {
            MetricsFactory.getMetricsInstance().addMetric("ScanGateFailed", 1, MetricUnit.COUNT);
            alerts.publish(new Alert("FAILED_SCAN", "FAILED_SCAN: " + repo + ":" + tags + " " + counts,
                    "ECR's scan of " + repo + "@" + digest + " (" + tags + ") found " + counts + ", above the limits (CRITICAL > "
                            + gate.maxCritical() + (gate.maxHigh() >= 0 ? " or HIGH > " + gate.maxHigh() : "") + ").",
                    Map.of("repository", repo, "digest", digest, "verdict", "FAILED_SCAN")));
            ledger.markDone("scan-alert#" + event.id()); // after the publish: an alert is sent at least once
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("repository", repo);
        details.put("digest", digest);
        details.put("counts", counts);
        details.put("failed", failed);
        return Outcome.recorded(repo + "@" + digest.substring(7, 19) + (failed ? " FAILED_SCAN " : " scan ok ") + counts, details);
    }
}
