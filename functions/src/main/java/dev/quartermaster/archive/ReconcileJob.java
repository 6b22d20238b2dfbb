package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.QmMetrics;
import dev.quartermaster.contract.Metric;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.upkeep.MapResults;
import dev.quartermaster.upkeep.UpkeepJob;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daily reconcile as an upkeep run: the plan lists the registry against the index, map Archive
 * copies by the images' bytes.
 */
public final class ReconcileJob implements UpkeepJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ArchiveService service;
    private final ImageLister lister;
    private final List<String> repositories;

    public ReconcileJob(ArchiveService service, ImageLister lister, List<String> repositories) {
        this.service = service;
        this.lister = lister;
        this.repositories = List.copyOf(repositories);
    }

    @Override
    public Upkeep upkeep() {
        return Upkeep.ARCHIVE_RECONCILE;
    }

    @Override
    public dev.quartermaster.common.Alerts alerts() {
        return service.alerts();
    }

    @Override
    public Plan plan(Context context) {
        ArchiveService.ReconcilePlan p = service.reconcilePlan(lister, repositories);
        List<Item> wanted =
                p.wanted().stream()
                        .map(
                                w -> {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put("repository", w.repository());
                                    m.put("digest", w.digest());
                                    m.put("tag", w.tag());
                                    m.put("size", w.size());
                                    return new Item(JSON.valueToTree(m), w.size());
                                })
                        .toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("listed", p.listed());
        details.put("alreadyArchived", p.alreadyArchived());
        return new Plan(
                Map.of("Archive", wanted),
                details,
                p.listed()
                        + " image(s) listed in "
                        + repositories.size()
                        + " repositor(ies), "
                        + p.alreadyArchived()
                        + " already archived, "
                        + wanted.size()
                        + " to archive");
    }

    /**
     * An image of a digest nothing has in a managed repository (see {@link
     * UpkeepJob#primingItems}).
     */
    @Override
    public Map<String, JsonNode> primingItems() {
        return repositories.isEmpty()
                ? Map.of()
                : Map.of(
                        "Archive",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                .objectNode()
                                .put("repository", repositories.get(0))
                                .put("digest", dev.quartermaster.common.Priming.NO_DIGEST)
                                .put("size", 1));
    }

    @Override
    public Outcome batch(String map, List<JsonNode> items, Context context) {
        List<ArchiveService.Wanted> wanted = new ArrayList<>();
        for (JsonNode n : items) {
            String repository = n.path("repository").asText();
            String digest = n.path("digest").asText();
            String tag = n.path("tag").isTextual() ? n.path("tag").asText() : null;
            if (!repositories.contains(repository)
                    || !ArchiveIndex.DIGEST.matcher(digest).matches()
                    || (tag != null && !ArchiveIndex.TAG.matcher(tag).matches())) {
                throw new MalformedEventException(
                        "an image item needs a managed repository, a sha256 digest and a valid tag (or none)");
            }
            wanted.add(new ArchiveService.Wanted(repository, digest, tag, n.path("size").asLong()));
        }
        ArchiveService.ReconcileBatch b = service.reconcileBatch(wanted, context.deadline());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(
                "archived",
                b.archived().stream()
                        .map(
                                o -> {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put(
                                            "name",
                                            o.repository()
                                                    + (o.tag() == null
                                                            ? "@" + o.digest()
                                                            : ":" + o.tag()));
                                    m.put("ok", o.ok());
                                    return m;
                                })
                        .toList());
        d.put("alreadyArchived", b.alreadyArchived());
        d.put("unfinished", b.unfinished());
        return Outcome.recorded(
                "archived "
                        + b.archived().size()
                        + " image(s), "
                        + b.archived().stream().filter(o -> !o.ok()).count()
                        + " failed",
                d);
    }

    @Override
    public Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context) {
        List<String> added = new ArrayList<>();
        long failed = 0;
        int already = plan.path("alreadyArchived").asInt();
        int unfinished = 0;
        for (JsonNode d : results.get("Archive").details()) {
            for (JsonNode a : d.path("archived")) {
                added.add(a.path("name").asText());
                failed += a.path("ok").asBoolean() ? 0 : 1;
            }
            already += d.path("alreadyArchived").asInt();
            unfinished += d.path("unfinished").asInt();
        }
        return outcome(
                plan.path("listed").asInt(),
                already,
                added,
                failed,
                unfinished,
                results.get("Archive").failedBatches());
    }

    /**
     * The reconcile's outcome as image-archive has always reported it (and what was left, when
     * something was).
     */
    static Outcome outcome(
            int listed,
            int alreadyArchived,
            List<String> added,
            long failed,
            int unfinished,
            int failedBatches) {
        QmMetrics.add(Metric.RECONCILE_ARCHIVED, added.size());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("listed", listed);
        details.put("alreadyArchived", alreadyArchived);
        details.put("added", added);
        details.put("failed", failed);
        details.put("unfinished", unfinished);
        details.put("failedBatches", failedBatches);
        return Outcome.recorded(
                "reconcile: "
                        + added.size()
                        + " image(s) added to the archive, "
                        + failed
                        + " failed"
                        + (unfinished + failedBatches == 0
                                ? ""
                                : "; "
                                        + unfinished
                                        + " left for lack of time, "
                                        + failedBatches
                                        + " batch(es) failed"),
                details);
    }
}
