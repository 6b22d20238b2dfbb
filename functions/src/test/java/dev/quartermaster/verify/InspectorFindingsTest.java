package dev.quartermaster.verify;

import dev.quartermaster.events.Inspector2Finding;
import dev.quartermaster.idempotency.InMemoryIdempotencyStore;
import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;
import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.ledger.RunningImages;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Enhanced scanning's findings through the scan gate, and RUNNING_IMAGE_VULNERABLE on what a host runs. */
class InspectorFindingsTest {
    static final String RUNNING = "sha256:" + "1".repeat(64);
    static final String NEWER_CLEAN = "sha256:" + "2".repeat(64);
    static final String NEWEST_AFFECTED = "sha256:" + "3".repeat(64);
    static final String ARN = "arn:aws:inspector2:us-east-1:123456789012:finding/";
    static final Instant T = Instant.parse("2026-11-30T10:00:00Z");

    final InMemoryLedgerStore ledger = new InMemoryLedgerStore();
    final RecordingAlerts alerts = new RecordingAlerts();
    final InMemoryFindingStore findings = new InMemoryFindingStore();
    final List<RunningImages.Running> running = new ArrayList<>();
    final ScanService service = new ScanService(ledger, new InMemoryIdempotencyStore(), alerts, new ScanGate(0, -1), findings, () -> running);

    void push(String digest, String tag, Instant at) {
        new ImageLedger(ledger, alerts).record(new ImageAction("push-" + tag, at, ImageAction.Kind.PUSH, true, "wordpress", digest, tag, null, null));
        ledger.recordVerification("wordpress", digest, new ImageRecord.Verification(ImageVerdict.VERIFIED, "6.4", "6.4.2", null, 1, 1, at));
    }

    static Inspector2Finding f(String id, String digest, String severity, String status, Instant updated, String cve) {
        return new Inspector2Finding(ARN + id, "wordpress", digest, severity, status, cve, "a package", updated);
    }

    @Test
    void aNewCriticalOnTheRunningDigestNamesTheReleaseAndTheNewestVerifiedDigestWithoutIt() {
        push(RUNNING, "wp-6.4-v1", T);
        push(NEWER_CLEAN, "wp-6.4-v2", T.plusSeconds(60));
        push(NEWEST_AFFECTED, "wp-6.4-v3", T.plusSeconds(120));
        running.add(new RunningImages.Running("web", "wordpress", RUNNING, "wp-6.4-v1", T));
        service.finding("e0", f("b", NEWEST_AFFECTED, "CRITICAL", "ACTIVE", T.plusSeconds(500), "CVE-2026-1"));
        int before = alerts.published().size();

        var r = service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(600), "CVE-2026-1"));

        assertThat(r.alerted()).containsExactly("FAILED_SCAN", "RUNNING_IMAGE_VULNERABLE");
        var alert = alerts.published().get(before + 1);
        assertThat(alert.message()).contains("host web", "wp-6.4-v1", "CVE-2026-1", NEWER_CLEAN).doesNotContain(NEWEST_AFFECTED);
        assertThat(alert.attributes()).containsEntry("replacement", NEWER_CLEAN);
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict()).isEqualTo(ImageVerdict.FAILED_SCAN);
    }

    @Test
    void duplicatesStaleVersionsAndClosuresAreHandledWithoutSecondAlerts() {
        push(RUNNING, "wp-6.4-v1", T);
        running.add(new RunningImages.Running("web", "wordpress", RUNNING, "wp-6.4-v1", T));
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));
        assertThat(service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1")).duplicate()).isTrue();
        assertThat(service.finding("e2", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(20), "CVE-1")).alerted())
                .as("an update of an already active finding alerts nothing").isEmpty();
        var closed = service.finding("e3", f("a", RUNNING, "CRITICAL", "CLOSED", T.plusSeconds(30), "CVE-1"));
        assertThat(closed.failed()).isFalse();
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(service.finding("e4", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(5), "CVE-1")).stale())
                .as("the ACTIVE version older than the closure arrives late").isTrue();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN", "RUNNING_IMAGE_VULNERABLE");
    }

    @Test
    void aFindingOnAnImageNoHostRunsOnlyFeedsTheGateAndAnUnknownDigestIsRecorded() {
        String unknown = "sha256:" + "9".repeat(64);
        var r = service.finding("e1", f("z", unknown, "HIGH", "ACTIVE", T, "CVE-9"));
        assertThat(r.alerted()).isEmpty();
        assertThat(ledger.image("wordpress", unknown).orElseThrow().scanCounts()).containsEntry("HIGH", 1);
    }
}
