package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.upkeep.MapResults;
import dev.quartermaster.upkeep.RunFiles;
import dev.quartermaster.upkeep.UpkeepJob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prune as an upkeep run: the plan drops what is past retention (and settles a trash a crashed
 * run left), map Mark walks the entries' manifests in batches, each batch keeping what it reached
 * in a file of the run (a mark is larger than a child's output may be), and the fold sweeps with
 * the union of the marks.
 */
public final class PruneJob implements UpkeepJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A mark file holds at most this many digests: a batch of 400 images reaching 1000 blobs each.
     */
    private static final int MAX_MARK_BYTES = 64 * 1024 * 1024;

    private final ArchiveUpkeep upkeep;
    private final Duration retention;
    private final Duration grace;

    public PruneJob(ArchiveUpkeep upkeep, Duration retention, Duration grace) {
        this.upkeep = upkeep;
        this.retention = retention;
        this.grace = grace;
    }

    @Override
    public Upkeep upkeep() {
        return Upkeep.ARCHIVE_PRUNE;
    }

    @Override
    public dev.quartermaster.common.Alerts alerts() {
        return upkeep.alerts();
    }

    @Override
    public Plan plan(Context context) {
        ArchiveUpkeep.PrunePlan p = upkeep.prunePlan(retention);
        List<Item> entries =
                p.entries().stream()
                        .map(e -> new Item(JSON.valueToTree(ScrubJob.image(e)), 0))
                        .toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("entriesRemoved", p.entriesRemoved());
        details.put("stopped", p.stopped());
        return new Plan(
                Map.of("Mark", entries),
                details,
                p.entriesRemoved()
                        + " index entr(ies) past retention removed, "
                        + entries.size()
                        + " image(s) to mark"
                        + (p.stopped() == null ? "" : "; the sweep will not run: " + p.stopped()));
    }

    /** An image nothing has, for the mark (see {@link UpkeepJob#primingItems}). */
    @Override
    public Map<String, JsonNode> primingItems() {
        return Map.of("Mark", ScrubJob.primingImage());
    }

    @Override
    public Outcome batch(String map, List<JsonNode> items, Context context) {
        List<ArchiveUpkeep.ImageRef> entries = items.stream().map(ScrubJob::image).toList();
        ArchiveUpkeep.Mark mark = upkeep.mark(entries);
        ObjectNode file = JSON.createObjectNode();
        ArrayNode covered = file.putArray("covered");
        mark.covered().stream().sorted().forEach(covered::add);
        ArrayNode referenced = file.putArray("referenced");
        mark.referenced().stream().sorted().forEach(referenced::add);
        ArrayNode unreadable = file.putArray("unreadable");
        mark.unreadable().stream().sorted().forEach(unreadable::add);
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // one key per set of entries: a redriven batch writes the same file again
        String key =
                Upkeep.ARCHIVE_PRUNE.runFolder(context.run())
                        + "marks/"
                        + dev.quartermaster.registry.Digests.of(
                                        covered.toString()
                                                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                .substring(7, 23)
                        + ".json";
        context.files().write(key, bytes);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("marks", key);
        d.put("entries", entries.size());
        d.put("referenced", mark.referenced().size());
        d.put("unreadable", mark.unreadable().size());
        return Outcome.recorded(
                "marked "
                        + entries.size()
                        + " image(s): "
                        + mark.referenced().size()
                        + " blob(s) reached",
                d);
    }

    @Override
    public Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context) {
        String folder = Upkeep.ARCHIVE_PRUNE.runFolder(context.run()) + "marks/";
        List<ArchiveUpkeep.Mark> marks = new ArrayList<>();
        for (JsonNode d : results.get("Mark").details()) {
            String key = d.path("marks").asText("");
            if (!key.startsWith(folder)
                    || !key.substring(folder.length()).matches("[0-9a-f]{16}\\.json")) {
                throw new MalformedEventException(
                        "a mark batch answered '"
                                + dev.quartermaster.common.Text.oneLine(key, 200)
                                + "', not a mark file of this run");
            }
            marks.add(read(context.files(), key));
        }
        String stopped = plan.path("stopped").isTextual() ? plan.path("stopped").asText() : null;
        ArchiveUpkeep.PrunePlan p =
                new ArchiveUpkeep.PrunePlan(
                        plan.path("entriesRemoved").asInt(), List.of(), stopped);
        return outcome(upkeep.pruneFold(p, marks, grace, context.deadline()));
    }

    private static ArchiveUpkeep.Mark read(RunFiles files, String key) {
        JsonNode n;
        try (InputStream in = files.open(key)) {
            byte[] bytes = in.readNBytes(MAX_MARK_BYTES + 1);
            if (bytes.length > MAX_MARK_BYTES) {
                throw new MalformedEventException(
                        "mark file " + key + " is larger than " + MAX_MARK_BYTES + " bytes");
            }
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArchiveUpkeep.Mark(
                digests(n.path("referenced")),
                digests(n.path("unreadable")),
                texts(n.path("covered")));
    }

    private static Set<String> digests(JsonNode array) {
        Set<String> out = texts(array);
        out.forEach(
                d -> {
                    if (!ArchiveIndex.DIGEST.matcher(d).matches()) {
                        throw new MalformedEventException(
                                "a mark file lists '"
                                        + dev.quartermaster.common.Text.oneLine(d, 80)
                                        + "', not a sha256 digest");
                    }
                });
        return out;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** The prune's outcome as archive-prune has always reported it. */
    static Outcome outcome(ArchiveUpkeep.Pruned r) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("stopped", r.stopped() == null ? "" : r.stopped());
        details.put("entriesRemoved", r.entriesRemoved());
        details.put("blobsDeleted", r.blobsDeleted());
        details.put("bytesFreed", r.bytesFreed());
        details.put("blobsKept", r.blobsKept());
        details.put("youngUnreferenced", r.youngUnreferenced());
        details.put("finished", r.finished());
        return Outcome.recorded(
                "prune: "
                        + r.entriesRemoved()
                        + " index entr(ies) past retention removed, "
                        + r.blobsDeleted()
                        + " blob(s) deleted ("
                        + r.bytesFreed()
                        + " bytes)"
                        + (r.stopped() == null ? "" : "; sweep stopped: " + r.stopped())
                        + (r.finished() ? "" : "; out of time, the next run sweeps on"),
                details);
    }
}
