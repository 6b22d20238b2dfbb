package dev.quartermaster.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ScanHandlerTest {
    private static final String A =
            "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    private static final String B =
            "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";
    private final RecordingAlerts alerts = new RecordingAlerts();

    /**
     * Unit tier: the handler over the in-memory stores, with the gate the settings would give it.
     */
    private ScanHandler handler(Map<String, String> extra, LedgerStore[] storeOut) {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        storeOut[0] = store;
        ScanGate gate =
                new ScanGate(
                        Integer.parseInt(extra.getOrDefault("SCAN_MAX_CRITICAL", "0")),
                        Integer.parseInt(extra.getOrDefault("SCAN_MAX_HIGH", "-1")));
        return new ScanHandler(
                new ScanService(
                        store,
                        new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                        alerts,
                        gate));
    }

    @Test
    void handle_whenCriticalFindings_failsScanGateAndAlertsOnce() {
        LedgerStore[] store = new LedgerStore[1];
        ScanHandler handler = handler(Map.of(), store);

        JsonNode result = Invoke.handler(handler, "image-scan-critical.json");
        Invoke.handler(handler, "image-scan-critical.json");

        assertThat(result.path("details").path("failed").asBoolean()).isTrue();
        ImageRecord image = store[0].image("wordpress", A).orElseThrow();
        assertThat(image.scanCounts()).containsEntry("CRITICAL", 2).containsEntry("HIGH", 9);
        assertThat(image.verdict()).isEqualTo(dev.quartermaster.ledger.ImageVerdict.FAILED_SCAN);
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN");
    }

    @Test
    void handle_whenSeverityKeysMissing_theyCountAsZero() {
        LedgerStore[] store = new LedgerStore[1];
        ScanHandler handler = handler(Map.of("SCAN_MAX_HIGH", "0"), store);

        JsonNode result = Invoke.handler(handler, "image-scan-clean.json");

        assertThat(result.path("details").path("failed").asBoolean()).isFalse();
        assertThat(store[0].image("wordpress", B).orElseThrow().scanCounts())
                .containsOnlyKeys("LOW", "MEDIUM");
        assertThat(alerts.published()).isEmpty();
    }

    @Test
    void handle_whenHighAboveConfiguredLimit_fails() {
        LedgerStore[] store = new LedgerStore[1];
        ScanHandler handler =
                handler(Map.of("SCAN_MAX_CRITICAL", "5", "SCAN_MAX_HIGH", "3"), store);

        JsonNode result = Invoke.handler(handler, "image-scan-critical.json");

        assertThat(result.path("details").path("failed").asBoolean()).isTrue();
    }

    @Test
    void handle_whenCountIsNegative_rejects() {
        LedgerStore[] store = new LedgerStore[1];
        ScanHandler handler = handler(Map.of(), store);
        String bad =
                Fixtures.text("image-scan-critical.json")
                        .replace("\"CRITICAL\": 2", "\"CRITICAL\": -2");

        JsonNode result = Invoke.handler(handler, bad.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(store[0].image("wordpress", A)).isEmpty();
    }

    private ScanHandler inspectorHandler(dev.quartermaster.ledger.InMemoryLedgerStore store) {
        ScanHandler handler =
                new ScanHandler(
                        new ScanService(
                                store,
                                new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                                alerts,
                                new ScanGate(0, -1),
                                new InMemoryFindingStore(),
                                dev.quartermaster.ledger.RunningImages.none()));
        handler.acceptingOnly(
                dev.quartermaster.events.EventOrigin.of(
                        "123456789012", null)); // as the stack sets EXPECTED_ACCOUNT
        return handler;
    }

    @Test
    void inspectorScan_ofAnotherAccountsRepository_isRejectedWithTheReason() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();

        JsonNode result =
                Invoke.handler(inspectorHandler(store), "inspector-scan-other-account.json");

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText())
                .contains("is in account 111122223333, not this stack's 123456789012")
                .doesNotContain("\n");
        assertThat(
                        store.image(
                                "wordpress",
                                "sha256:965fbcae990b0467ed5657caceaec165018ef44a4d2d46c7cdea80a9dff0d1ea"))
                .isEmpty();
    }

    @Test
    void inspectorScan_ofThisAccountsRepository_isRecorded() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        String ours =
                Fixtures.text("inspector-scan-other-account.json")
                        .replace("111122223333", "123456789012");

        JsonNode result =
                Invoke.handler(inspectorHandler(store), ours.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("RECORDED");
        assertThat(
                        store.image(
                                "wordpress",
                                "sha256:965fbcae990b0467ed5657caceaec165018ef44a4d2d46c7cdea80a9dff0d1ea"))
                .isPresent();
    }

    @Test
    void inspectorFinding_onAnotherAccountsImage_isRejectedWithTheReason() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();

        JsonNode result =
                Invoke.handler(inspectorHandler(store), "inspector-finding-other-account.json");

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText())
                .contains("is in account 111122223333, not this stack's 123456789012");
        assertThat(
                        store.image(
                                "wordpress",
                                "sha256:84f507df33c6864d49c296fb734192696e4cb6f78166ac51ac8b9b118181085d"))
                .isEmpty();
    }

    @Test
    void inspectorFinding_inTheInspectorGuidesShape_onThisAccountsImage_isRecorded() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        String ours =
                Fixtures.text("inspector-finding-other-account.json")
                        .replace("111122223333", "123456789012");

        JsonNode result =
                Invoke.handler(inspectorHandler(store), ours.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("RECORDED");
    }

    @Test
    void inspectorFinding_whoseAccountIdDisagreesWithTheImage_isRejected() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        String mixed =
                Fixtures.text("inspector-finding-other-account.json")
                        .replace(
                                "\"awsAccountId\": \"111122223333\"",
                                "\"awsAccountId\": \"123456789012\"");

        JsonNode result =
                Invoke.handler(inspectorHandler(store), mixed.getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText())
                .contains(
                        "awsAccountId 123456789012 is not the account of the image's ARN (111122223333)");
    }

    @Test
    void inspector_findingThenItsSuppressionThenItsClosure_andAnEmptyScan_feedTheSameGate() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        ScanHandler handler =
                new ScanHandler(
                        new ScanService(
                                store,
                                new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                                alerts,
                                new ScanGate(0, -1),
                                new InMemoryFindingStore(),
                                dev.quartermaster.ledger.RunningImages.none()));

        assertThat(
                        Invoke.handler(handler, "inspector-scan-empty.json")
                                .path("details")
                                .path("failed")
                                .asBoolean())
                .isFalse();
        JsonNode active = Invoke.handler(handler, "inspector-finding-active.json");
        assertThat(active.path("details").path("failed").asBoolean()).isTrue();
        assertThat(store.image("wordpress", A).orElseThrow().verdict())
                .isEqualTo(dev.quartermaster.ledger.ImageVerdict.FAILED_SCAN);
        JsonNode suppressed = Invoke.handler(handler, "inspector-finding-suppressed.json");
        assertThat(suppressed.path("details").path("failed").asBoolean()).isFalse();
        assertThat(suppressed.path("details").path("gate").asText())
                .contains("suppressed in Amazon Inspector");
        assertThat(store.image("wordpress", A).orElseThrow().scanAcceptance().how())
                .isEqualTo(
                        dev.quartermaster.ledger.ImageRecord.ScanAcceptance.How
                                .INSPECTOR_SUPPRESSED);
        JsonNode closed = Invoke.handler(handler, "inspector-finding-closed.json");
        assertThat(closed.path("details").path("failed").asBoolean())
                .as("the suppressed finding, closed, stays accepted")
                .isFalse();
        assertThat(Invoke.handler(handler, "inspector-finding-active.json").path("status").asText())
                .isEqualTo("DUPLICATE");
        assertThat(store.image("wordpress", A).orElseThrow().scanFailed()).isFalse();
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN");
    }

    @Test
    void inspector_closureOfAnActiveFinding_isNotAFix_theFailedScanHolds() {
        var store = new dev.quartermaster.ledger.InMemoryLedgerStore();
        ScanHandler handler =
                new ScanHandler(
                        new ScanService(
                                store,
                                new dev.quartermaster.idempotency.InMemoryIdempotencyStore(),
                                alerts,
                                new ScanGate(0, -1),
                                new InMemoryFindingStore(),
                                dev.quartermaster.ledger.RunningImages.none()));
        Invoke.handler(handler, "inspector-finding-active.json");

        JsonNode closed = Invoke.handler(handler, "inspector-finding-closed.json");

        assertThat(closed.path("details").path("failed").asBoolean()).isTrue();
        assertThat(store.image("wordpress", A).orElseThrow().verdict())
                .isEqualTo(dev.quartermaster.ledger.ImageVerdict.FAILED_SCAN);
        assertThat(alerts.kinds()).containsExactly("FAILED_SCAN");
    }
}
