package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.idempotency.InMemoryIdempotencyStore;
import dev.quartermaster.ledger.InMemoryLedgerStore;
import dev.quartermaster.testkit.OciImages;
import dev.quartermaster.testkit.OciImages.Blob;
import dev.quartermaster.testkit.OciImages.Image;
import dev.quartermaster.testutils.RecordingAlerts;
import dev.quartermaster.upkeep.UpkeepEngine;
import dev.quartermaster.upkeep.UpkeepRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archive's upkeep as state machine runs (the local engine on the directory twin): the outcomes
 * of today, through the batches.
 */
class UpkeepRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordingAlerts alerts = new RecordingAlerts();
    private final InMemoryLedgerStore ledger = new InMemoryLedgerStore();

    @Test
    void
            scrub_throughItsStateMachine_quarantinesTheCorruptBlob_recordsTheImageIncomplete_andAlertsOnce(
                    @TempDir Path dir) throws Exception {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image good = image("6.4.3", 2);
        Image bad = image("6.5.0", 2);
        store(layout, "wordpress", "good", good);
        store(layout, "wordpress", "bad", bad);
        Blob rotted = bad.layers().get(1);
        Files.write(
                dir.resolve("blobs/sha256/" + rotted.digest().substring(7)),
                "not the layer".getBytes());
        List<String> batches = new ArrayList<>();

        Outcome o =
                UpkeepRuns.run(
                        new ScrubJob(
                                new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC()), 100),
                        layout.runFiles(),
                        scheduled(),
                        Instant.now().plusSeconds(120),
                        0,
                        listener(batches));

        assertThat(batches).containsExactly("Rehash 1/1", "Check 1/1");
        assertThat(o.details())
                .containsEntry("blobs", 8)
                .containsEntry("checked", 8)
                .containsEntry("corrupt", List.of(rotted.digest()))
                .containsEntry("incomplete", List.of("wordpress:bad (1 blob(s) missing)"))
                .containsEntry("finished", true);
        assertThat(layout.quarantined(rotted.digest())).isTrue();
        assertThat(layout.readIndex().index().find("wordpress:bad").orElseThrow().complete())
                .isFalse();
        assertThat(layout.readIndex().index().find("wordpress:good").orElseThrow().complete())
                .isTrue();
        assertThat(
                        ledger.image("wordpress", bad.manifest().digest())
                                .orElseThrow()
                                .archive()
                                .complete())
                .isFalse();
        assertThat(alerts.kinds()).containsExactly("ARCHIVE_SCRUB");
    }

    @Test
    void rehash_redrivenAfterItQuarantined_reportsTheBlobCorruptAgain_andABlobPrunedMeanwhileAsGone(
            @TempDir Path dir) throws Exception {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image image = image("6.4.3", 2);
        store(layout, "wordpress", "t", image);
        Blob rotted = image.layers().get(0);
        Files.write(dir.resolve("blobs/sha256/" + rotted.digest().substring(7)), "rot".getBytes());
        ArchiveUpkeep upkeep = new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC());
        List<ArchiveUpkeep.BlobRef> batch =
                image.layers().stream()
                        .map(b -> new ArchiveUpkeep.BlobRef(b.digest(), b.bytes().length))
                        .toList();

        ArchiveUpkeep.Rehashed first = upkeep.rehash(batch, Instant.now().plusSeconds(60));
        layout.trash(
                List.of(image.layers().get(1).digest())); // the prune's sweep, between the attempts
        ArchiveUpkeep.Rehashed again = upkeep.rehash(batch, Instant.now().plusSeconds(60));

        assertThat(first.corrupt()).containsExactly(rotted.digest());
        assertThat(again.corrupt()).containsExactly(rotted.digest());
        assertThat(again.gone()).isEqualTo(1);
    }

    @Test
    void prune_whenAMarkBatchFailed_theFoldMarksItsEntries_soNothingTheyReachIsDeleted(
            @TempDir Path dir) {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image a = image("6.4.3", 1);
        Image b = image("6.5.0", 1);
        store(layout, "wordpress", "a", a);
        store(layout, "wordpress", "b", b);
        byte[] stray = OciImages.randomBytes(1_000, 9);
        layout.putBlob(OciImages.sha256(stray), stray.length, new ByteArrayInputStream(stray));
        ArchiveUpkeep upkeep = new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC());

        ArchiveUpkeep.PrunePlan plan = upkeep.prunePlan(Duration.ofDays(90));
        assertThat(plan.entries()).hasSize(2);
        ArchiveUpkeep.Mark onlyTheFirst =
                upkeep.mark(plan.entries().subList(0, 1)); // the second batch failed: no mark of it
        ArchiveUpkeep.Pruned r =
                upkeep.pruneFold(
                        plan, List.of(onlyTheFirst), Duration.ZERO, Instant.now().plusSeconds(60));

        assertThat(r.blobsDeleted()).isEqualTo(1);
        assertThat(layout.blobs())
                .extracting(ArchiveLayout.BlobInfo::digest)
                .doesNotContain(OciImages.sha256(stray))
                .contains(
                        a.manifest().digest(),
                        b.manifest().digest(),
                        a.layers().get(0).digest(),
                        b.layers().get(0).digest());
    }

    @Test
    void prune_throughItsStateMachine_sweepsWhatNoMarkReached(@TempDir Path dir) {
        DirectoryLayout layout = new DirectoryLayout(dir);
        Image kept = image("6.4.3", 2);
        store(layout, "wordpress", "kept", kept);
        Image gone = image("6.1.0", 1);
        store(layout, "wordpress", "gone", gone);
        ImageArchiver.updateIndex(layout, i -> i.without(e -> "gone".equals(e.tag())));
        List<String> batches = new ArrayList<>();

        Outcome o =
                UpkeepRuns.run(
                        new PruneJob(
                                new ArchiveUpkeep(layout, ledger, alerts, Clock.systemUTC()),
                                Duration.ofDays(90),
                                Duration.ZERO),
                        layout.runFiles(),
                        scheduled(),
                        Instant.now().plusSeconds(120),
                        0,
                        listener(batches));

        assertThat(batches).containsExactly("Mark 1/1");
        assertThat(o.details())
                .containsEntry("blobsDeleted", 3)
                .containsEntry("stopped", "")
                .containsEntry("finished", true);
        assertThat(layout.blobs())
                .extracting(ArchiveLayout.BlobInfo::digest)
                .containsExactlyInAnyOrder(
                        kept.manifest().digest(),
                        kept.config().digest(),
                        kept.layers().get(0).digest(),
                        kept.layers().get(1).digest());
        assertThat(alerts.kinds()).isEmpty();
    }

    @Test
    void reconcile_throughItsStateMachine_archivesWhatTheArchiveLacks_andARerunFindsItAllThere(
            @TempDir Path dir) {
        DirectoryLayout registry = new DirectoryLayout(dir.resolve("registry"));
        DirectoryLayout archive = new DirectoryLayout(dir.resolve("archive"));
        Image one = image("6.4.3", 1);
        Image two = image("6.5.0", 1);
        store(registry, "wordpress", "one", one);
        store(registry, "wordpress", "two", two);
        ImageLister lister =
                repository ->
                        List.of(
                                new ImageLister.Listed(
                                        repository, one.manifest().digest(), List.of("one"), 5_000),
                                new ImageLister.Listed(
                                        repository,
                                        two.manifest().digest(),
                                        List.of("two"),
                                        5_000));
        ArchiveService service =
                new ArchiveService(
                        new ImageArchiver(
                                ImageSource.fromLayout(registry),
                                archive,
                                ImageArchiver.Limits.defaults(),
                                Clock.systemUTC()),
                        ledger,
                        new InMemoryIdempotencyStore(),
                        alerts,
                        Clock.systemUTC());
        ReconcileJob job = new ReconcileJob(service, lister, List.of("wordpress"));
        List<String> batches = new ArrayList<>();

        Outcome first =
                UpkeepRuns.run(
                        job,
                        archive.runFiles(),
                        scheduled(),
                        Instant.now().plusSeconds(120),
                        0,
                        listener(batches));
        Outcome again =
                UpkeepRuns.run(
                        job,
                        archive.runFiles(),
                        scheduled(),
                        Instant.now().plusSeconds(120),
                        0,
                        listener(batches));

        assertThat(first.message())
                .isEqualTo("reconcile: 2 image(s) added to the archive, 0 failed");
        assertThat(first.details())
                .containsEntry("added", List.of("wordpress:one", "wordpress:two"))
                .containsEntry("listed", 2);
        assertThat(again.details())
                .containsEntry("added", List.of())
                .containsEntry("alreadyArchived", 2);
        assertThat(batches).containsExactly("Archive 1/1");
        assertThat(archive.readIndex().index().find("wordpress:two").orElseThrow().complete())
                .isTrue();
    }

    private static UpkeepEngine.Listener listener(List<String> batches) {
        return new UpkeepEngine.Listener() {
            @Override
            public void batch(String map, int index, int total, Duration took, JsonNode output) {
                if (output != null && output.path("status").asText().equals("RECORDED")) {
                    batches.add(map + " " + index + "/" + total);
                }
            }
        };
    }

    private static JsonNode scheduled() {
        try {
            return JSON.readTree(
                    "{\"version\":\"0\",\"id\":\""
                            + java.util.UUID.randomUUID()
                            + "\",\"detail-type\":\"Scheduled Event\","
                            + "\"source\":\"aws.events\",\"account\":\"000000000000\",\"time\":\"2026-12-07T05:00:00Z\",\"region\":\"us-east-1\","
                            + "\"resources\":[],\"detail\":{}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Image image(String version, int layers) {
        List<Blob> blobs = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blobs.add(
                    OciImages.layer(
                            Map.of(
                                    "f/" + version + "-" + i,
                                    OciImages.randomBytes(2_000, i + version.hashCode()))));
        }
        return OciImages.image(blobs, Map.of("v", version), List.of(), "amd64");
    }

    static void store(ArchiveLayout layout, String repo, String tag, Image image) {
        ArchiveUpkeepTest.store(layout, repo, tag, image);
    }
}
