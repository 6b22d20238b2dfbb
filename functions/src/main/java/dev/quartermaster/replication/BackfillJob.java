package dev.quartermaster.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.Outcome;
import dev.quartermaster.common.Text;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.events.MalformedEventException;
import dev.quartermaster.events.Validation;
import dev.quartermaster.upkeep.MapResults;
import dev.quartermaster.upkeep.UpkeepJob;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The replication backfill as an upkeep run: the plan lists the managed repositories (for every
 * configured destination, or the one the run names), map Copy copies by digest, in batches by the
 * images' bytes, what each destination lacks and records it REPLICATED (what the destination
 * already holds is recorded too), the fold counts. ECR's replication copies only what is pushed
 * after it is configured: this is how what came before gets there.
 */
public final class BackfillJob implements UpkeepJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a repository holds in the source registry: each image's digest, its tags and its size as
     * listed (0: unknown).
     */
    public interface Source {
        record Image(String digest, List<String> tags, long size) {}

        List<Image> list(String repository);
    }

    /**
     * A destination's registry: whether it holds a digest, and a copy by digest into it (the bytes
     * copied).
     */
    public interface Target {
        boolean has(String repository, String digest);

        long copy(String repository, String digest, String tag);
    }

    private final ReplicationService service;
    private final Source source;
    private final Function<Destination, Target> targets;
    private final List<String> repositories;
    private final Clock clock;

    public BackfillJob(
            ReplicationService service,
            Source source,
            Function<Destination, Target> targets,
            List<String> repositories,
            Clock clock) {
        this.service = service;
        this.source = source;
        this.targets = targets;
        this.repositories = List.copyOf(repositories);
        this.clock = clock;
    }

    @Override
    public Upkeep upkeep() {
        return Upkeep.REPLICATION_BACKFILL;
    }

    @Override
    public dev.quartermaster.common.Alerts alerts() {
        return service.alerts();
    }

    @Override
    public Plan plan(Context context) {
        List<Destination> to = destinations(context.detail().path("destination").asText(""));
        List<Item> items = new ArrayList<>();
        int listed = 0;
        for (String repository : repositories) {
            List<Source.Image> images = source.list(repository);
            listed += images.size();
            for (Destination d : to) {
                for (Source.Image image : images) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("destination", d.key());
                    m.put("repository", repository);
                    m.put("digest", image.digest());
                    m.put("tag", image.tags().isEmpty() ? null : image.tags().get(0));
                    m.put("size", image.size());
                    items.add(new Item(JSON.valueToTree(m), image.size()));
                }
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("destinations", to.stream().map(Destination::key).toList());
        details.put("listed", listed);
        return new Plan(
                Map.of("Copy", items),
                details,
                listed
                        + " image(s) listed in "
                        + repositories.size()
                        + " repositor(ies), "
                        + items.size()
                        + " to bring to "
                        + to.stream().map(Destination::key).toList());
    }

    /**
     * The configured destinations, or the one named (which must be configured: a copy elsewhere
     * nothing would watch).
     */
    private List<Destination> destinations(String named) {
        if (named.isEmpty()) {
            return service.destinations();
        }
        return List.of(destination(named));
    }

    private Destination destination(String key) {
        return service.destinations().stream()
                .filter(d -> d.key().equals(key))
                .findFirst()
                .orElseThrow(
                        () ->
                                new MalformedEventException(
                                        "'"
                                                + Validation.abbreviate(key)
                                                + "' is not a configured replication destination ("
                                                + service.destinations().stream()
                                                        .map(Destination::key)
                                                        .toList()
                                                + ")"));
    }

    /**
     * An image of a digest nothing has, to the first destination (see {@link
     * UpkeepJob#primingItems}): its look-up at the destination is a read, and the registry writer
     * sends nothing while priming.
     */
    @Override
    public Map<String, JsonNode> primingItems() {
        if (repositories.isEmpty() || service.destinations().isEmpty()) {
            return Map.of();
        }
        return Map.of(
                "Copy",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode()
                        .put("destination", service.destinations().get(0).key())
                        .put("repository", repositories.get(0))
                        .put("digest", dev.quartermaster.common.Priming.NO_DIGEST));
    }

    @Override
    public Outcome batch(String map, List<JsonNode> items, Context context) {
        int copied = 0;
        int present = 0;
        long bytes = 0;
        List<String> failed = new ArrayList<>();
        for (JsonNode n : items) {
            Destination d = destination(n.path("destination").asText(""));
            String repository = n.path("repository").asText();
            String digest = n.path("digest").asText();
            String tag = n.path("tag").isTextual() ? n.path("tag").asText() : null;
            if (!repositories.contains(repository) || !digest.matches("sha256:[a-f0-9]{64}")) {
                throw new MalformedEventException(
                        "an image item needs a managed repository and a sha256 digest");
            }
            String what = repository + "@" + digest.substring(7, 19) + " to " + d.key();
            try {
                Target target = targets.apply(d);
                if (target.has(repository, digest)) {
                    present++;
                } else {
                    bytes += target.copy(repository, digest, tag);
                    copied++;
                }
                service.backfilled(
                        repository,
                        digest,
                        d,
                        clock.instant()); // already there or copied now: REPLICATED either way
            } catch (RuntimeException e) {
                failed.add(what + ": " + Text.oneLine(String.valueOf(e.getMessage()), 200));
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("copied", copied);
        details.put("present", present);
        details.put("bytes", bytes);
        details.put("failed", failed);
        return Outcome.recorded(
                copied + " copied, " + present + " already there, " + failed.size() + " failed",
                details);
    }

    @Override
    public Outcome fold(JsonNode plan, Map<String, MapResults> results, Context context) {
        int copied = 0;
        int present = 0;
        long bytes = 0;
        List<String> failed = new ArrayList<>();
        for (JsonNode d : results.get("Copy").details()) {
            copied += d.path("copied").asInt();
            present += d.path("present").asInt();
            bytes += d.path("bytes").asLong();
            d.path("failed").forEach(f -> failed.add(f.asText()));
        }
        int failedBatches = results.get("Copy").failedBatches();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("destinations", JSON.convertValue(plan.path("destinations"), List.class));
        details.put("copied", copied);
        details.put("present", present);
        details.put("bytes", bytes);
        details.put("failed", failed);
        details.put("failedBatches", failedBatches);
        return Outcome.recorded(
                "backfill to "
                        + String.join(
                                ", ", JSON.convertValue(plan.path("destinations"), String[].class))
                        + ": "
                        + copied
                        + " copied, "
                        + present
                        + " already there, "
                        + failed.size()
                        + " failed"
                        + (failedBatches == 0 ? "" : ", " + failedBatches + " batch(es) failed"),
                details);
    }
}
