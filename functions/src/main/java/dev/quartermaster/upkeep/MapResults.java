package dev.quartermaster.upkeep;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Text;
import dev.quartermaster.events.MalformedEventException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one Distributed Map wrote through its ResultWriter, read back by the fold. The Map state's
 * output names the manifest ({@code {"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ...,
 * "Key": "<prefix>/<id>/manifest.json"}}}); the manifest lists the result files ({@code
 * {"DestinationBucket": ..., "MapRunArn": ..., "ResultFiles": {"FAILED": [{"Key": ..., "Size": n}],
 * "PENDING": [...], "SUCCEEDED": [...]}}}); each file is a JSON array of child executions ({@code
 * Status}, {@code Input} and {@code Output} as JSON text, {@code Error}/{@code Cause} when failed).
 * After a redrive the manifest lists every attempt's successful children. Shapes: Step Functions
 * developer guide, "ResultWriter (Map)"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html); the
 * manifest's fields as a map run writes them (fixtures {@code events/sfn-result-manifest.json},
 * {@code events/sfn-result-succeeded.json}).
 *
 * <p>Everything read is input: the keys must lie in the run's folder, the files are streamed and
 * bounded.
 */
public final class MapResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Children a map of this project may have: items are units of work, a run has thousands of
     * batches at most.
     */
    static final int MAX_CHILDREN = 200_000;

    /** A child's output (an outcome) is at most Step Functions' 256 KiB. */
    static final int MAX_OUTPUT_CHARS = 262_144;

    /** One child execution that failed (or was left pending): why, and the items it was given. */
    public record Failed(String status, String error, String cause, JsonNode input) {}

    private final List<JsonNode> succeeded;
    private final List<Failed> failed;
    private final String mapRunArn;
    private final int children;

    public MapResults(List<JsonNode> succeeded, List<Failed> failed, String mapRunArn) {
        this(succeeded, failed, mapRunArn, succeeded.size() + failed.size());
    }

    /**
     * @param children the distinct child executions the files name (a child redriven appears once
     *     per attempt in the files, and counts once)
     */
    public MapResults(
            List<JsonNode> succeeded, List<Failed> failed, String mapRunArn, int children) {
        this.succeeded = List.copyOf(succeeded);
        this.failed = List.copyOf(failed);
        this.mapRunArn = mapRunArn;
        this.children = children;
    }

    /**
     * The distinct child executions the result files name, whatever their status: as many as the
     * batches the plan made, unless results were lost or added (the fold then refuses).
     */
    public int children() {
        return children;
    }

    /**
     * The outputs of the batches that succeeded (each an outcome: {@code status}, {@code message},
     * {@code details}).
     */
    public List<JsonNode> succeeded() {
        return succeeded;
    }

    /** The batches that failed, timed out, were aborted or never started. */
    public List<Failed> failed() {
        return failed;
    }

    public String mapRunArn() {
        return mapRunArn;
    }

    /**
     * The {@code details} of every successful batch whose outcome was RECORDED (a batch that
     * rejected its input counts as failed).
     */
    public List<JsonNode> details() {
        return succeeded.stream()
                .filter(o -> "RECORDED".equals(o.path("status").asText()))
                .map(o -> o.path("details"))
                .toList();
    }

    /** Batches that did not record: failed, pending, or answered anything but RECORDED. */
    public int failedBatches() {
        return failed.size()
                + (int)
                        succeeded.stream()
                                .filter(o -> !"RECORDED".equals(o.path("status").asText()))
                                .count();
    }

    /**
     * Reads a map's results from the Map state's output.
     *
     * @param folder the run's folder: the manifest and every result file must be in it
     */
    public static MapResults read(JsonNode mapOutput, RunFiles files, String folder) {
        JsonNode details = mapOutput.path("ResultWriterDetails");
        String bucket = details.path("Bucket").asText("");
        String manifestKey = details.path("Key").asText("");
        if (!bucket.equals(files.bucket())) {
            throw new MalformedEventException(
                    "the map's results are in bucket '"
                            + Text.oneLine(bucket, 80)
                            + "', not the run's "
                            + files.bucket());
        }
        if (!manifestKey.startsWith(folder) || !manifestKey.endsWith("/manifest.json")) {
            throw new MalformedEventException(
                    "the map's manifest '"
                            + Text.oneLine(manifestKey, 200)
                            + "' is not a manifest.json in the run's folder "
                            + folder);
        }
        JsonNode manifest;
        try (InputStream in = files.open(RunFiles.checked(manifestKey))) {
            manifest = JSON.readTree(in.readNBytes(4 * 1024 * 1024));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dir = manifestKey.substring(0, manifestKey.length() - "manifest.json".length());
        List<JsonNode> succeeded = new ArrayList<>();
        List<Failed> failed = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        JsonNode resultFiles = manifest.path("ResultFiles");
        if (!resultFiles.isObject()) {
            // the manifest's shape is known from a worked example, not from AWS's page: an
            // unexpected one must not
            // read as a run whose every batch succeeded
            throw new MalformedEventException(
                    "the manifest "
                            + Text.oneLine(manifestKey, 200)
                            + " has no ResultFiles object: its batches are unknown");
        }
        for (String status : List.of("SUCCEEDED", "FAILED", "PENDING")) {
            for (JsonNode f : resultFiles.path(status)) {
                String key = f.path("Key").asText("");
                if (!key.startsWith(dir)
                        || !key.substring(dir.length()).matches(status + "_[0-9]{1,6}\\.json")) {
                    throw new MalformedEventException(
                            "the manifest lists '"
                                    + Text.oneLine(key, 200)
                                    + "', not a "
                                    + status
                                    + "_n.json beside it");
                }
                readFile(files, key, status, succeeded, failed, names);
            }
        }
        return new MapResults(
                succeeded,
                failed,
                manifest.path("MapRunArn").asText(mapOutput.path("MapRunArn").asText("")),
                names.size());
    }

    /**
     * Streams one result file (an array of child executions): a file may hold gigabytes, a child a
     * few kilobytes.
     */
    private static void readFile(
            RunFiles files,
            String key,
            String status,
            List<JsonNode> succeeded,
            List<Failed> failed,
            java.util.Set<String> names) {
        try (InputStream in = files.open(RunFiles.checked(key));
                JsonParser p = JSON.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new MalformedEventException(key + " is not a JSON array of child executions");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                if (succeeded.size() + failed.size() >= MAX_CHILDREN) {
                    throw new MalformedEventException(
                            "the map's results hold more than "
                                    + MAX_CHILDREN
                                    + " child executions");
                }
                JsonNode child = JSON.readTree(p);
                // a child is named by its execution ARN (its Name is unique within the map run);
                // one without either counts on its own
                String name = child.path("ExecutionArn").asText(child.path("Name").asText(""));
                names.add(
                        name.isEmpty()
                                ? "unnamed-" + (succeeded.size() + failed.size())
                                : Text.oneLine(name, 400));
                String childStatus = child.path("Status").asText(status);
                if (status.equals("SUCCEEDED") && childStatus.equals("SUCCEEDED")) {
                    succeeded.add(parsed(child.path("Output").asText(""), key));
                } else {
                    failed.add(
                            new Failed(
                                    childStatus,
                                    child.path("Error").asText(null),
                                    Text.oneLine(child.path("Cause").asText(""), 400),
                                    parsedOrNull(child.path("Input").asText(""))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key + " failed: " + e.getMessage(), e);
        }
    }

    private static JsonNode parsed(String text, String key) {
        if (text.length() > MAX_OUTPUT_CHARS) {
            throw new MalformedEventException(
                    "a child's output in " + key + " is larger than Step Functions allows");
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new MalformedEventException(
                    "a child's output in " + key + " is not JSON: " + e.getMessage());
        }
    }

    private static JsonNode parsedOrNull(String text) {
        try {
            return text.isEmpty() || text.length() > MAX_OUTPUT_CHARS ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
