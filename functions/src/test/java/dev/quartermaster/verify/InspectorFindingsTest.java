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

/**
 * Enhanced scanning's findings through the scan gate, and RUNNING_IMAGE_VULNERABLE on what a host
 * runs.
 */
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
    final ScanService service =
            new ScanService(
                    ledger,
                    new InMemoryIdempotencyStore(),
                    alerts,
                    new ScanGate(0, -1),
                    findings,
                    () -> running);

    void push(String digest, String tag, Instant at) {
        new ImageLedger(ledger, alerts)
                .record(
                        new ImageAction(
                                "push-" + tag,
                                at,
                                ImageAction.Kind.PUSH,
                                true,
                                "wordpress",
                                digest,
                                tag,
                                null,
                                null));
        ledger.recordVerification(
                "wordpress",
                digest,
                new ImageRecord.Verification(
                        ImageVerdict.VERIFIED, "6.4", "6.4.2", null, 1, 1, at));
    }

    static Inspector2Finding f(
            String id, String digest, String severity, String status, Instant updated, String cve) {
        return new Inspector2Finding(
                ARN + id, "wordpress", digest, severity, status, cve, "a package", updated);
    }

    @Test
    void aNewCriticalOnTheRunningDigestNamesTheReleaseAndTheNewestVerifiedDigestWithoutIt() {
        push(RUNNING, "wp-6.4-v1", T);
        push(NEWER_CLEAN, "wp-6.4-v2", T.plusSeconds(60));
        push(NEWEST_AFFECTED, "wp-6.4-v3", T.plusSeconds(120));
        running.add(new RunningImages.Running("web", "wordpress", RUNNING, "wp-6.4-v1", T));
        service.finding(
                "e0",
                f("b", NEWEST_AFFECTED, "CRITICAL", "ACTIVE", T.plusSeconds(500), "CVE-2026-1"));
        int before = alerts.published().size();

        var r =
                service.finding(
                        "e1",
                        f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(600), "CVE-2026-1"));

        assertThat(r.alerted()).containsExactly("FAILED_SCAN", "RUNNING_IMAGE_VULNERABLE");
        var alert = alerts.published().get(before + 1);
        assertThat(alert.message())
                .contains("host web", "wp-6.4-v1", "CVE-2026-1", NEWER_CLEAN)
                .doesNotContain(NEWEST_AFFECTED);
        assertThat(alert.attributes()).containsEntry("replacement", NEWER_CLEAN);
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.FAILED_SCAN);
    }

    @Test
    void duplicatesStaleVersionsAndClosuresAreHandledWithoutSecondAlerts() {
        push(RUNNING, "wp-6.4-v1", T);
        running.add(new RunningImages.Running("web", "wordpress", RUNNING, "wp-6.4-v1", T));
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));
        assertThat(
                        service.finding(
                                        "e1",
                                        f(
                                                "a",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(10),
                                                "CVE-1"))
                                .duplicate())
                .isTrue();
        assertThat(
                        service.finding(
                                        "e2",
                                        f(
                                                "a",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(20),
                                                "CVE-1"))
                                .alerted())
                .as("an update of an already active finding alerts nothing")
                .isEmpty();
        var closed =
                service.finding(
                        "e3", f("a", RUNNING, "CRITICAL", "CLOSED", T.plusSeconds(30), "CVE-1"));
        assertThat(closed.failed()).as("a closure is not a fix").isTrue();
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.FAILED_SCAN);
        assertThat(
                        service.finding(
                                        "e4",
                                        f(
                                                "a",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(5),
                                                "CVE-1"))
                                .stale())
                .as("the ACTIVE version older than the closure arrives late")
                .isTrue();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN", "RUNNING_IMAGE_VULNERABLE");
    }

    @Test
    void aFindingOnAnImageNoHostRunsOnlyFeedsTheGateAndAnUnknownDigestIsRecorded() {
        String unknown = "sha256:" + "9".repeat(64);
        var r = service.finding("e1", f("z", unknown, "HIGH", "ACTIVE", T, "CVE-9"));
        assertThat(r.alerted()).isEmpty();
        assertThat(ledger.image("wordpress", unknown).orElseThrow().scanCounts())
                .containsEntry("HIGH", 1);
    }

    @Test
    void
            finding_whenInspectorClosesTheFindingsOfAFailedDigest_theFailedScanHolds_andNothingIsAccepted() {
        push(RUNNING, "wp-6.4-v1", T);
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));
        service.finding("e2", f("b", RUNNING, "HIGH", "ACTIVE", T.plusSeconds(11), "CVE-2"));

        // Inspector stops monitoring the image (re-scan duration over): it closes every finding of
        // it
        var r1 =
                service.finding(
                        "e3",
                        f("a", RUNNING, "CRITICAL", "CLOSED", T.plusSeconds(1_209_600), "CVE-1"));
        var r2 =
                service.finding(
                        "e4", f("b", RUNNING, "HIGH", "CLOSED", T.plusSeconds(1_209_601), "CVE-2"));

        assertThat(r1.failed()).isTrue();
        assertThat(r2.failed()).isTrue();
        ImageRecord image = ledger.image("wordpress", RUNNING).orElseThrow();
        assertThat(image.verdict()).isEqualTo(ImageVerdict.FAILED_SCAN);
        assertThat(image.scanCounts())
                .as("closed findings are still in the content")
                .containsEntry("CRITICAL", 1)
                .containsEntry("HIGH", 1);
        assertThat(image.scanAcceptance()).isNull();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN");
    }

    @Test
    void
            finding_whenTheOperatorSuppressesTheFindingInInspector_theGateIsLifted_andTheRecordSaysSo() {
        push(RUNNING, "wp-6.4-v1", T);
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));

        var r =
                service.finding(
                        "e2",
                        f("a", RUNNING, "CRITICAL", "SUPPRESSED", T.plusSeconds(20), "CVE-1"));

        assertThat(r.failed()).isFalse();
        ImageRecord image = ledger.image("wordpress", RUNNING).orElseThrow();
        assertThat(image.verdict()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(image.scanAcceptance().how())
                .isEqualTo(ImageRecord.ScanAcceptance.How.INSPECTOR_SUPPRESSED);
        assertThat(image.scanAcceptance().reason()).contains(ARN + "a", "CVE-1", "suppressed");
        assertThat(image.scanAcceptance().at()).isEqualTo(T.plusSeconds(20));
        // a new CRITICAL on the same digest fails it again
        assertThat(
                        service.finding(
                                        "e3",
                                        f(
                                                "c",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(30),
                                                "CVE-3"))
                                .failed())
                .isTrue();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN", "FAILED_SCAN");
    }

    @Test
    void accept_liftsAFailedScan_recordingWhoWhyAndTheCounts_andOnlyANewFindingFailsItAgain() {
        push(RUNNING, "wp-6.4-v1", T);
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));

        var a =
                service.accept(
                        "wordpress",
                        RUNNING,
                        "alice",
                        "CVE-1 is in a package the app never loads, ticket 12",
                        T.plusSeconds(60));

        ImageRecord image = ledger.image("wordpress", RUNNING).orElseThrow();
        assertThat(image.verdict()).isEqualTo(ImageVerdict.VERIFIED);
        assertThat(image.scanAcceptance()).isEqualTo(a);
        assertThat(a.how()).isEqualTo(ImageRecord.ScanAcceptance.How.OPERATOR);
        assertThat(a.by()).isEqualTo("alice");
        assertThat(a.counts()).containsEntry("CRITICAL", 1);
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN", "SCAN_ACCEPTED");
        // the accepted finding updated, then closed: still accepted; a second CRITICAL: failed
        // again
        assertThat(
                        service.finding(
                                        "e2",
                                        f(
                                                "a",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(70),
                                                "CVE-1"))
                                .failed())
                .isFalse();
        assertThat(
                        service.finding(
                                        "e3",
                                        f(
                                                "a",
                                                RUNNING,
                                                "CRITICAL",
                                                "CLOSED",
                                                T.plusSeconds(80),
                                                "CVE-1"))
                                .failed())
                .isFalse();
        assertThat(
                        service.finding(
                                        "e4",
                                        f(
                                                "b",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(90),
                                                "CVE-2"))
                                .failed())
                .isTrue();
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.FAILED_SCAN);
    }

    @Test
    void accept_refusesWithoutAReason_anUnknownDigest_andADigestThatIsNotFailing() {
        push(RUNNING, "wp-6.4-v1", T);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> service.accept("wordpress", RUNNING, "alice", " ", T))
                .isInstanceOf(ScanService.Refused.class)
                .hasMessageContaining("--reason");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> service.accept("wordpress", NEWER_CLEAN, "alice", "why", T))
                .hasMessageContaining("the ledger has no image");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> service.accept("wordpress", RUNNING, "alice", "why", T))
                .hasMessageContaining("is not FAILED_SCAN");
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().scanAcceptance()).isNull();
    }

    @Test
    void record_whenALaterBasicScanCountsFewer_theFailedScanHolds() {
        ScanService basic =
                new ScanService(
                        ledger, new InMemoryIdempotencyStore(), alerts, new ScanGate(0, -1));
        push(RUNNING, "wp-6.4-v1", T);
        assertThat(
                        basic.record(
                                        "s1",
                                        "wordpress",
                                        RUNNING,
                                        java.util.Map.of("CRITICAL", 1),
                                        List.of("wp-6.4-v1"),
                                        T)
                                .failed())
                .isTrue();

        var again =
                basic.record(
                        "s2",
                        "wordpress",
                        RUNNING,
                        java.util.Map.of(),
                        List.of("wp-6.4-v1"),
                        T.plusSeconds(86_400));

        assertThat(again.failed()).isTrue();
        assertThat(again.note()).contains("FAILED_SCAN holds", "bin/qm scan accept");
        assertThat(ledger.image("wordpress", RUNNING).orElseThrow().verdict())
                .isEqualTo(ImageVerdict.FAILED_SCAN);
    }

    @Test
    void finding_whenASuppressedFindingIsClosedLater_itStaysAccepted_butANewOneStillFails() {
        push(RUNNING, "wp-6.4-v1", T);
        service.finding("e1", f("a", RUNNING, "CRITICAL", "ACTIVE", T.plusSeconds(10), "CVE-1"));
        service.finding(
                "e2", f("a", RUNNING, "CRITICAL", "SUPPRESSED", T.plusSeconds(20), "CVE-1"));

        var closed =
                service.finding(
                        "e3", f("a", RUNNING, "CRITICAL", "CLOSED", T.plusSeconds(30), "CVE-1"));

        assertThat(closed.failed()).isFalse();
        ImageRecord image = ledger.image("wordpress", RUNNING).orElseThrow();
        assertThat(image.scanCounts()).containsEntry("CRITICAL", 1);
        assertThat(image.scanAcceptance().counts()).containsEntry("CRITICAL", 1);
        assertThat(image.scanAcceptance().reason()).contains("suppressed, then closed");
        assertThat(
                        service.finding(
                                        "e4",
                                        f(
                                                "b",
                                                RUNNING,
                                                "CRITICAL",
                                                "ACTIVE",
                                                T.plusSeconds(40),
                                                "CVE-2"))
                                .failed())
                .isTrue();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN", "FAILED_SCAN");
    }
}
