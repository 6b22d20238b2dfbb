package dev.quartermaster.archive;

import dev.quartermaster.ledger.ImageAction;
import dev.quartermaster.ledger.TagEvent;
import dev.quartermaster.testkit.OciImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * index.json as read and written: other tools' entries kept, tampered names refused, the ledger's
 * word on a tag.
 */
class ArchiveIndexTest {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    @Test
    void entriesOtherToolsWrote_areKeptThroughEveryChange() {
        String json =
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                        + D1
                        + "\",\"size\":7,\"annotations\":{\"org.opencontainers.image.ref.name\":\"theirs\"}}]}";
        ArchiveIndex index = ArchiveIndex.parse(json.getBytes(StandardCharsets.UTF_8));

        ArchiveIndex changed =
                index.upsert(entry("wordpress", "wp-6.4-v1", D2)).without(e -> false);
        String written = new String(changed.toJson(false), StandardCharsets.UTF_8);

        assertThat(changed.entries()).hasSize(1);
        assertThat(written).contains("\"theirs\"").contains(D1).contains("wp-6.4-v1");
        assertThat(ArchiveIndex.parse(changed.toJson(false)).foreign()).hasSize(1);
    }

    @Test
    void export_intoALayoutAnotherToolWrote_addsToIt_andKeepsItsEntries(@TempDir Path dir)
            throws Exception {
        DirectoryLayout archive = new DirectoryLayout(dir.resolve("archive"));
        OciImages.Image image =
                OciImages.image(
                        List.of(OciImages.layer(Map.of("a", new byte[] {1}))),
                        Map.of(),
                        List.of(),
                        "amd64");
        ArchiveUpkeepTest.store(archive, "wordpress", "wp-6.4-v1", image);
        Path out = dir.resolve("export");
        Files.createDirectories(out);
        Files.writeString(out.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(
                out.resolve("index.json"),
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"digest\":\""
                        + D1
                        + "\",\"size\":7,\"annotations\":{\"org.opencontainers.image.ref.name\":\"other-tool\"}}]}");

        ArchiveExport.export(
                archive,
                "wordpress",
                null,
                new DirectoryLayout(out, false),
                ImageArchiver.Progress.NONE);

        String index = Files.readString(out.resolve("index.json"));
        assertThat(index).contains("\"other-tool\"").contains("\"wp-6.4-v1\"");
    }

    @Test
    void anEntryWhoseTagOrRepositoryIsNotAnOciName_stopsEveryUseOfTheIndex() {
        for (String bad :
                List.of(
                        "\"dev.quartermaster.repository\":\"wordpress\",\"dev.quartermaster.tag\":\"../../x\"",
                        "\"dev.quartermaster.repository\":\"../wordpress\"",
                        "\"dev.quartermaster.repository\":\"wordpress\",\"dev.quartermaster.subject\":\"sha256:../x\"")) {
            String json =
                    "{\"manifests\":[{\"mediaType\":\"m\",\"digest\":\""
                            + D1
                            + "\",\"size\":1,\"annotations\":{"
                            + bad
                            + "}}]}";
            assertThatThrownBy(() -> ArchiveIndex.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .as(bad)
                    .isInstanceOf(ArchiveException.class)
                    .hasMessageContaining("entry 1 of index.json");
        }
    }

    @Test
    void disagreement_whenTheLedgerNeverSawTheTagOnTheArchivedDigest_refuses() {
        ArchiveIndex.Entry archived = entry("wordpress", "wp-6.4-v1", D2);
        List<TagEvent> history = List.of(push("wp-6.4-v1", D1));

        assertThat(ImageRestorer.disagreement(archived, history))
                .contains("never saw that tag on that digest")
                .contains(D1);
        assertThat(
                        ImageRestorer.disagreement(
                                archived, List.of(push("wp-6.4-v1", D1), push("wp-6.4-v1", D2))))
                .isNull();
        assertThat(ImageRestorer.disagreement(archived, List.of()))
                .as("no ledger of it: an archive from elsewhere")
                .isNull();
    }

    @Test
    void restore_toANameOutsideOciGrammar_isRefusedBeforeAnythingIsPushed(@TempDir Path dir) {
        ImageRestorer restorer = new ImageRestorer(new DirectoryLayout(dir), null, null);

        assertThatThrownBy(
                        () ->
                                restorer.restore(
                                        entry("wordpress", "t", D1),
                                        "../../x",
                                        "t",
                                        ImageArchiver.Progress.NONE))
                .hasMessageContaining("not a valid repository");
        assertThatThrownBy(
                        () ->
                                restorer.restore(
                                        entry("wordpress", "t", D1),
                                        "wordpress",
                                        "a/../b",
                                        ImageArchiver.Progress.NONE))
                .hasMessageContaining("not a valid repository");
    }

    private static TagEvent push(String tag, String digest) {
        return new TagEvent(
                "wordpress",
                tag,
                Instant.now(),
                ImageAction.Kind.PUSH,
                digest,
                null,
                false,
                false,
                "e-" + digest.substring(7, 12));
    }

    private static ArchiveIndex.Entry entry(String repo, String tag, String digest) {
        return new ArchiveIndex.Entry(
                repo,
                tag,
                digest,
                "application/vnd.oci.image.manifest.v1+json",
                10,
                Instant.EPOCH,
                true,
                0,
                0,
                "",
                null);
    }
}
