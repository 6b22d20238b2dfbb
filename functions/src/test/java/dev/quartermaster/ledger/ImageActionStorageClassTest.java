package dev.quartermaster.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quartermaster.testutils.Fixtures;
import dev.quartermaster.testutils.Invoke;
import dev.quartermaster.testutils.RecordingAlerts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ECR's archive and restore events (UPDATE_STORAGE_CLASS, the ECR user guide's own samples in
 * events/) through the image-action handler onto the in-memory ledger: unit tier.
 */
class ImageActionStorageClassTest {
    private static final String REPO = "ubuntu";
    private static final String DIGEST =
            "sha256:f98d67af8e53a536502bfc600de3266556b06ed635a32d60aa7a5fe6d7e609d7";

    private final InMemoryLedgerStore store = new InMemoryLedgerStore();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final ImageActionHandler handler =
            new ImageActionHandler(new ImageLedger(store, alerts));

    @Test
    void handle_whenEcrArchivesADigest_recordsArchiveOnTheImageAndInItsHistory_withoutAnAlert() {
        JsonNode result = Invoke.handler(handler, "image-action-archived.json");

        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("RECORDED");
        assertThat(result.path("details").path("storageClass").asText()).isEqualTo("ARCHIVE");
        ImageRecord image = store.image(REPO, DIGEST).orElseThrow();
        assertThat(image.archivedInEcr()).isTrue();
        assertThat(image.storage().at()).isEqualTo(Instant.parse("2019-08-06T00:58:09Z"));
        assertThat(store.storageHistory(REPO, DIGEST))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.storageClass()).isEqualTo(StorageClass.ARCHIVE);
                            assertThat(e.eventId()).isEqualTo("4f5ec4d5-4de4-7aad-a046-EXAMPLE");
                        });
        assertThat(alerts.published()).isEmpty();
    }

    @Test
    void handle_whenRestoredAfterTheArchive_isStandardAgain_andTheSameEventTwiceCountsOnce() {
        Invoke.handler(handler, "image-action-archived.json");
        JsonNode restored = Invoke.handler(handler, "image-action-restored.json");
        JsonNode again = Invoke.handler(handler, "image-action-restored.json");

        assertThat(restored.path("status").asText()).isEqualTo("RECORDED");
        assertThat(again.path("status").asText()).isEqualTo("DUPLICATE");
        ImageRecord image = store.image(REPO, DIGEST).orElseThrow();
        assertThat(image.archivedInEcr()).isFalse();
        assertThat(image.storage().storageClass()).isEqualTo(StorageClass.STANDARD);
        assertThat(store.storageHistory(REPO, DIGEST))
                .extracting(StorageEvent::storageClass)
                .containsExactly(StorageClass.STANDARD, StorageClass.ARCHIVE);
    }

    @Test
    void
            handle_whenTheArchiveArrivesAfterTheLaterRestore_theDigestStaysStandard_andTheArchiveIsMarkedLate() {
        Invoke.handler(handler, "image-action-restored.json"); // 01:15:22
        JsonNode late =
                Invoke.handler(handler, "image-action-archived.json"); // 00:58:09, delivered late

        assertThat(late.path("status").asText()).isEqualTo("RECORDED");
        assertThat(late.path("details").path("outOfOrder").asBoolean()).isTrue();
        assertThat(store.image(REPO, DIGEST).orElseThrow().storage().storageClass())
                .isEqualTo(StorageClass.STANDARD);
        assertThat(store.storageHistory(REPO, DIGEST))
                .filteredOn(StorageEvent::outOfOrder)
                .singleElement()
                .extracting(StorageEvent::storageClass)
                .isEqualTo(StorageClass.ARCHIVE);
    }

    @Test
    void
            handle_whenTheTargetStorageClassIsMissingOrUnknown_rejectsWithTheReason_andRecordsNothing() {
        String archived = Fixtures.text("image-action-archived.json");
        JsonNode unknown =
                Invoke.handler(
                        handler,
                        archived.replace(
                                        "\"target-storage-class\": \"ARCHIVE\"",
                                        "\"target-storage-class\": \"GLACIER\"")
                                .getBytes(StandardCharsets.UTF_8));
        JsonNode missing =
                Invoke.handler(
                        handler,
                        archived.replace("\"target-storage-class\": \"ARCHIVE\",", "")
                                .getBytes(StandardCharsets.UTF_8));

        assertThat(unknown.path("status").asText()).isEqualTo("REJECTED");
        assertThat(unknown.path("message").asText())
                .contains("target-storage-class ARCHIVE or STANDARD", "GLACIER");
        assertThat(missing.path("status").asText()).isEqualTo("REJECTED");
        assertThat(store.image(REPO, DIGEST)).isEmpty();
    }

    @Test
    void handle_whenTheActionTypeIsNoneEcrSends_stillRejectsItNamingTheThreeItKnows() {
        JsonNode result =
                Invoke.handler(
                        handler,
                        Fixtures.text("image-action-archived.json")
                                .replace("UPDATE_STORAGE_CLASS", "REPLICATE")
                                .getBytes(StandardCharsets.UTF_8));

        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("message").asText())
                .contains("'REPLICATE' is not PUSH, DELETE or UPDATE_STORAGE_CLASS");
    }
}
