package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.events.MalformedEventException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fold reads a map's results as Step Functions' ResultWriter writes them: the fixtures under
 * aws/states/ follow the developer guide's "ResultWriter (Map)" (events/SOURCES.md).
 */
class MapResultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FOLDER =
            "upkeep/runs/archive-scrub/20261205T050000Z-0123456789ab/Rehash/";
    private static final String DIR = FOLDER + "ad9b5f27-090b-3ac6-9beb-243cd77144a7/";
    @TempDir Path root;
    private DirectoryRunFiles files;

    @BeforeEach
    void lay() throws IOException {
        files = new DirectoryRunFiles(root, "quartermaster-archive-example");
        for (String f : new String[] {"manifest.json", "SUCCEEDED_0.json", "FAILED_0.json"}) {
            files.write(DIR + f, fixture(f));
        }
    }

    @Test
    void read_givesEverySucceededBatchsOutcome_andEveryFailedBatch() throws IOException {
        MapResults r = MapResults.read(JSON.readTree(fixture("map-output.json")), files, FOLDER);

        assertThat(r.details()).hasSize(2);
        assertThat(r.details()).extracting(d -> d.path("checked").asInt()).containsExactly(1, 1);
        assertThat(r.details().get(1).path("corrupt").get(0).asText())
                .isEqualTo(
                        "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d");
        assertThat(r.failedBatches()).isEqualTo(1);
        assertThat(r.failed().get(0).error())
                .isEqualTo("software.amazon.awssdk.core.exception.SdkClientException");
        assertThat(
                        r.failed()
                                .get(0)
                                .input()
                                .path("Items")
                                .get(0)
                                .path("items")
                                .get(0)
                                .path("size")
                                .asInt())
                .isEqualTo(5);
        assertThat(r.mapRunArn())
                .endsWith(
                        ":mapRun:Quartermaster-archive-scrub/Rehash:ad9b5f27-090b-3ac6-9beb-243cd77144a7");
    }

    @Test
    void read_refusesAManifestOutsideTheRunsFolder_orAnotherBucket() throws IOException {
        JsonNode output = JSON.readTree(fixture("map-output.json"));
        assertThatThrownBy(
                        () ->
                                MapResults.read(
                                        output,
                                        files,
                                        "upkeep/runs/archive-scrub/20261212T050000Z-0123456789ab/Rehash/"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("not a manifest.json in the run's folder");
        assertThatThrownBy(
                        () ->
                                MapResults.read(
                                        output,
                                        new DirectoryRunFiles(root, "another-bucket"),
                                        FOLDER))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("not the run's another-bucket");
    }

    @Test
    void read_refusesAManifestListingAFileThatIsNotBesideIt() throws IOException {
        String manifest =
                new String(fixture("manifest.json"))
                        .replace(
                                DIR + "SUCCEEDED_0.json",
                                "upkeep/runs/archive-prune/x/SUCCEEDED_0.json");
        files.write(DIR + "manifest.json", manifest.getBytes());
        assertThatThrownBy(
                        () ->
                                MapResults.read(
                                        JSON.readTree(fixture("map-output.json")), files, FOLDER))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("not a SUCCEEDED_n.json beside it");
    }

    @Test
    void read_refusesAManifestWithoutResultFiles_ratherThanReadingAnEmptyRun() throws IOException {
        files.write(
                DIR + "manifest.json",
                "{\"DestinationBucket\":\"quartermaster-archive-example\",\"MapRunArn\":\"x\"}"
                        .getBytes());
        assertThatThrownBy(
                        () ->
                                MapResults.read(
                                        JSON.readTree(fixture("map-output.json")), files, FOLDER))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("has no ResultFiles object");
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = MapResultsTest.class.getResourceAsStream("/aws/states/" + name)) {
            return in.readAllBytes();
        }
    }
}
