package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.contract.Metric;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.upkeep.MapResults;
import dev.quartermaster.upkeep.UpkeepJob;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scrub as an upkeep run: the plan draws the blobs, map Rehash re-hashes them by bytes, map
 * Check walks the images, the fold records.
 */
public final class ScrubJob implements UpkeepJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ArchiveUpkeep upkeep;
    private final int percent;

    public ScrubJob(ArchiveUpkeep upkeep, int percent) {
        this.upkeep = upkeep;
        this.percent = percent;
    }

    @Override
    public Upkeep upkeep() {
        return Upkeep.ARCHIVE_SCRUB;
    }

    @Override
    public dev.quartermaster.common.Alerts alerts() {
        return upkeep.alerts();
    }

    @Override
    public Plan plan(Context context) {
        ArchiveUpkeep.ScrubPlan p = upkeep.scrubPlan(percent, new SecureRandom(), null);
        List<Item> blobs =
                p.sampled().stream()
                        .map(
                                b -> {
                                    ObjectNode n = JSON.createObjectNode();
                                    n.put("digest", b.digest());
                                    n.put("size", b.size());
                                    return new Item(n, b.size());
                                })
                        .toList();
        List<Item> images =
                p.images().stream().map(i -> new Item(JSON.valueToTree(image(i)), 0)).toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("blobs", p.blobs());
        details.put("percent", percent);
        long bytes = p.sampled().stream().mapToLong(ArchiveUpkeep.BlobRef::size).sum();
        return new Plan(
                Map.of("Rehash", blobs, "Check", images),
                details,
                p.blobs()
                        + " blob(s), "
                        + blobs.size()
                        + " to re-hash ("
                        + bytes
                        + " bytes), "
                        + images.size()
                        + " image(s) to check");
    }

    static Map<String, Object> image(ArchiveUpkeep.ImageRef i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repository", i.repository());
        m.put("digest", i.digest());
        m.put("mediaType", i.mediaType());
        m.put("size", i.size());
        m.put("ref", i.ref());
        m.put("complete", i.complete());
        m.put("referrer", i.referrer());
        return m;
    }

    static ArchiveUpkeep.ImageRef image(JsonNode n) {
        String digest = n.path("digest").asText();
        String repository = n.path("repository").asText();
        if (!ArchiveIndex.DIGEST.matcher(digest).matches()
                || !ArchiveIndex.REPOSITORY.matcher(repository).matches()) {
            throw new dev.quartermaster.events.MalformedEventException(
                    "an image item needs a repository name and a sha256 digest");
        }
        return new ArchiveUpkeep.ImageRef(
                repository,
                digest,
                n.path("mediaType").asText(),
                n.path("size").asLong(),
                n.path("ref").asText(repository + "@" + digest),
                n.path("complete").asBoolean(),
                n.path("referrer").asBoolean());
    }

    /** A blob and an image nothing has (see {@link UpkeepJob#primingItems}). */
    @Override
    public Map<String, JsonNode> primingItems() {
        return Map.of(
                "Rehash",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode()
                        .put("digest", dev.quartermaster.common.Priming.NO_DIGEST)
                        .put("size", 1),
                "Check",
                primingImage());
    }

    /** An image item of a digest nothing has, as the plan writes image items. */
    static JsonNode primingImage() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .objectNode()
                .put("repository", "qm-priming")
                .put("digest", dev.quartermaster.common.Priming.NO_DIGEST)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("size", 1)
                .put("complete", true);
    }

    @Override
    public Outcome batch(String map, List<JsonNode> items, Context context) {
        if (map.equals("Rehash")) {
            List<ArchiveUpkeep.BlobRef> blobs = new ArrayList<>();
            for (JsonNode n : items) {
                String digest = n.path("digest").asText();
                if (!ArchiveIndex.DIGEST.matcher(digest).matches()
                        || !n.path("size").canConvertToLong()) {
                    throw new dev.quartermaster.events.MalformedEventException(
                            "a blob item needs a sha256 digest and a size");
                }
                blobs.add(new ArchiveUpkeep.BlobRef(digest, n.path("size").asLong()));
            }
            ArchiveUpkeep.Rehashed r = upkeep.rehash(blobs, context.deadline());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("checked", r.checked());
            d.put("bytes", r.bytes());
            d.put("corrupt", r.corrupt());
            d.put("gone", r.gone());
            d.put("unfinished", r.unfinished());
            return Outcome.recorded(
                    "re-hashed " + r.checked() + " blob(s), " + r.corrupt().size() + " corrupt", d);
        }
        List<ArchiveUpkeep.Completeness> found =
                upkeep.check(items.stream().map(ScrubJob::image).toList());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("images", items.size());
        d.put(
                "found",
                found.stream()
                        .map(
                                c -> {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put("repository", c.repository());
                                    m.put("digest", c.digest());
                                    m.put("ref", c.ref());
                                    m.put("complete", c.complete());
                                    m.put("missing", c.missing());
                                    m.put("changed", c.changed());
                                    m.put("referrer", c.referrer());
                                    return m;
                                })
                        .toList());
        return Outcome.recorded(
                "checked "
                        + items.size()
                        + " image(s), "
                        + found.stream().filter(c -> !c.complete()).count()
                        + " incomplete",
                d);
    }

    @Override
    public Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context) {
        List<ArchiveUpkeep.Rehashed> rehashed = new ArrayList<>();
        for (JsonNode d : results.get("Rehash").details()) {
            List<String> corrupt = new ArrayList<>();
            d.path("corrupt").forEach(c -> corrupt.add(c.asText()));
            rehashed.add(
                    new ArchiveUpkeep.Rehashed(
                            d.path("checked").asInt(),
                            d.path("bytes").asLong(),
                            corrupt,
                            d.path("gone").asInt(),
                            d.path("unfinished").asInt()));
        }
        List<ArchiveUpkeep.Completeness> checked = new ArrayList<>();
        for (JsonNode d : results.get("Check").details()) {
            for (JsonNode c : d.path("found")) {
                ArchiveUpkeep.ImageRef ref = image(c);
                checked.add(
                        new ArchiveUpkeep.Completeness(
                                ref.repository(),
                                ref.digest(),
                                ref.ref(),
                                c.path("complete").asBoolean(),
                                c.path("missing").asInt(),
                                c.path("changed").asBoolean(),
                                c.path("referrer").asBoolean()));
            }
        }
        int failed = results.values().stream().mapToInt(MapResults::failedBatches).sum();
        return outcome(
                upkeep.scrubFold(plan.path("blobs").asInt(), rehashed, checked, failed), failed);
    }

    /**
     * The scrub's outcome as archive-scrub has always reported it (and the batches that failed,
     * when some did).
     */
    static Outcome outcome(ArchiveUpkeep.Scrubbed r, int failedBatches) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("blobs", r.blobs());
        details.put("checked", r.checked());
        details.put("bytesChecked", r.bytesChecked());
        details.put("corrupt", r.corrupt());
        details.put("incomplete", r.incomplete());
        QmMetrics.add(Metric.ARCHIVE_INCOMPLETE, r.incomplete().size() + r.corrupt().size());
        details.put("finished", r.finished());
        details.put("failedBatches", failedBatches);
        return Outcome.recorded(
                "scrub: "
                        + r.checked()
                        + " blob(s) re-hashed, "
                        + r.corrupt().size()
                        + " corrupt, "
                        + r.incomplete().size()
                        + " incomplete image(s)"
                        + (failedBatches == 0 ? "" : "; " + failedBatches + " batch(es) failed"),
                details);
    }
}
