package dev.quartermaster.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The layout's {@code index.json}: one entry per archived tag ({@code ref.name = repo:tag}), per
 * untagged image kept in the archive ({@code repo@sha256:…}: a tag moved away from it, or it was
 * pushed without one) and per referrer (signature, SBOM) of an archived image. Quartermaster's own
 * facts ride along as annotations, so the file alone is the archive's catalogue and any OCI tool
 * still reads it.
 */
public record ArchiveIndex(List<Entry> entries, List<JsonNode> foreign) {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String NS = "dev.quartermaster.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bound on what is read back: an index of this size holds about 40 000 entries. */
    static final int MAX_BYTES = 32 * 1024 * 1024;

    /** OCI's grammar for a repository name and a tag: what may go into a registry URL. */
    static final java.util.regex.Pattern REPOSITORY =
            java.util.regex.Pattern.compile(
                    "[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*");

    static final java.util.regex.Pattern TAG =
            java.util.regex.Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    static final java.util.regex.Pattern DIGEST =
            java.util.regex.Pattern.compile("sha256:[a-f0-9]{64}");

    /**
     * @param foreign entries other tools wrote (no Quartermaster annotations): kept as they are and
     *     written back, so an export into an existing layout adds to it and takes nothing away
     */
    public ArchiveIndex {
        entries = entries.stream().sorted(Comparator.comparing(Entry::refName)).toList();
        foreign = List.copyOf(foreign);
    }

    public ArchiveIndex(List<Entry> entries) {
        this(entries, List.of());
    }

    public static ArchiveIndex empty() {
        return new ArchiveIndex(List.of());
    }

    /** The same index (foreign entries included) with other entries of Quartermaster's. */
    public ArchiveIndex withEntries(List<Entry> replaced) {
        return new ArchiveIndex(replaced, foreign);
    }

    /**
     * One archived manifest and what the archive knows of it. {@code tag} and {@code subject} may
     * be null.
     */
    public record Entry(
            String repository,
            String tag,
            String digest,
            String mediaType,
            long size,
            Instant archivedAt,
            boolean complete,
            long bytesStored,
            long bytesDeduplicated,
            String platforms,
            String subject) {

        public String refName() {
            return tag != null ? repository + ":" + tag : repository + "@" + digest;
        }

        public Entry untagged() {
            return new Entry(
                    repository,
                    null,
                    digest,
                    mediaType,
                    size,
                    archivedAt,
                    complete,
                    bytesStored,
                    bytesDeduplicated,
                    platforms,
                    subject);
        }
    }

    public Optional<Entry> find(String refName) {
        return entries.stream().filter(e -> e.refName().equals(refName)).findFirst();
    }

    public List<Entry> byDigest(String repository, String digest) {
        return entries.stream()
                .filter(e -> e.repository().equals(repository) && e.digest().equals(digest))
                .toList();
    }

    /**
     * Adds or replaces the entry of the same name. When a tag moves, the image it left stays
     * archived under {@code repo@digest}; an untagged entry gives way to a tagged entry of the same
     * image.
     */
    public ArchiveIndex upsert(Entry e) {
        List<Entry> out = new ArrayList<>(entries.size() + 1);
        Entry moved = null;
        for (Entry x : entries) {
            if (x.refName().equals(e.refName())) {
                if (!x.digest().equals(e.digest())) {
                    moved = x;
                }
                continue;
            }
            if (e.tag() != null
                    && x.tag() == null
                    && x.subject() == null
                    && x.repository().equals(e.repository())
                    && x.digest().equals(e.digest())) {
                continue;
            }
            out.add(x);
        }
        out.add(e);
        if (moved != null && out.stream().noneMatch(byImage(moved.repository(), moved.digest()))) {
            out.add(moved.untagged());
        }
        if (e.tag() == null
                && out.stream()
                        .anyMatch(
                                x ->
                                        x != e
                                                && x.subject() == null
                                                && byImage(e.repository(), e.digest()).test(x))) {
            out.remove(e); // the image is already archived under a tag
            List<Entry> updated = new ArrayList<>();
            for (Entry x : out) {
                updated.add(
                        byImage(e.repository(), e.digest()).test(x) && x.subject() == null
                                ? new Entry(
                                        x.repository(),
                                        x.tag(),
                                        x.digest(),
                                        x.mediaType(),
                                        x.size(),
                                        e.archivedAt(),
                                        e.complete(),
                                        e.bytesStored(),
                                        e.bytesDeduplicated(),
                                        e.platforms(),
                                        x.subject())
                                : x);
            }
            return withEntries(updated);
        }
        return withEntries(out);
    }

    /**
     * Every entry of the image gets the archive facts of {@code e} (the archiver's final word on
     * it).
     */
    public ArchiveIndex complete(Entry e) {
        ArchiveIndex up = upsert(e);
        List<Entry> out =
                up.entries.stream()
                        .map(
                                x ->
                                        byImage(e.repository(), e.digest()).test(x)
                                                        && x.subject() == null
                                                ? new Entry(
                                                        x.repository(),
                                                        x.tag(),
                                                        x.digest(),
                                                        x.mediaType(),
                                                        x.size(),
                                                        e.archivedAt(),
                                                        e.complete(),
                                                        e.bytesStored(),
                                                        e.bytesDeduplicated(),
                                                        e.platforms(),
                                                        x.subject())
                                                : x)
                        .toList();
        return withEntries(out);
    }

    public ArchiveIndex without(Predicate<Entry> drop) {
        return withEntries(entries.stream().filter(drop.negate()).toList());
    }

    private static Predicate<Entry> byImage(String repository, String digest) {
        return x -> x.repository().equals(repository) && x.digest().equals(digest);
    }

    /**
     * Why an entry cannot be used (a name outside OCI's grammar, a digest that is not sha256), or
     * null.
     */
    static String invalid(Entry e) {
        if (!REPOSITORY.matcher(e.repository()).matches() || e.repository().length() > 255) {
            return "has an invalid repository name '"
                    + dev.quartermaster.common.Text.oneLine(e.repository(), 80)
                    + "'";
        }
        if (e.tag() != null && !TAG.matcher(e.tag()).matches()) {
            return "has an invalid tag '"
                    + dev.quartermaster.common.Text.oneLine(e.tag(), 80)
                    + "'";
        }
        if (!DIGEST.matcher(e.digest()).matches()
                || (e.subject() != null && !DIGEST.matcher(e.subject()).matches())) {
            return "has a digest that is not sha256:<64 hex>";
        }
        return null;
    }

    public byte[] toJson() {
        return toJson(true);
    }

    /**
     * @param qualified ref names carry the repository ({@code repo:tag}, the archive's own index,
     *     which holds many repositories); false: the tag alone (or the digest), as {@code skopeo
     *     oci:DIR:TAG} and umoci expect of a one-repository export
     */
    public byte[] toJson(boolean qualified) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode ms = root.putArray("manifests");
        java.util.Set<String> names = new java.util.HashSet<>();
        entries.forEach(
                e -> names.add(qualified ? e.refName() : e.tag() != null ? e.tag() : e.digest()));
        for (JsonNode f : foreign) {
            if (!names.contains(f.path("annotations").path(REF_NAME).asText(""))) {
                ms.add(f.deepCopy()); // another tool's entry, unless one of ours now has its name
            }
        }
        for (Entry e : entries) {
            ObjectNode d = ms.addObject();
            d.put("mediaType", e.mediaType());
            d.put("digest", e.digest());
            d.put("size", e.size());
            ObjectNode a = d.putObject("annotations");
            a.put(REF_NAME, qualified ? e.refName() : e.tag() != null ? e.tag() : e.digest());
            a.put(NS + "repository", e.repository());
            if (e.tag() != null) {
                a.put(NS + "tag", e.tag());
            }
            a.put(NS + "archived-at", e.archivedAt().toString());
            a.put(NS + "complete", Boolean.toString(e.complete()));
            a.put(NS + "bytes-stored", Long.toString(e.bytesStored()));
            a.put(NS + "bytes-deduplicated", Long.toString(e.bytesDeduplicated()));
            if (e.platforms() != null && !e.platforms().isEmpty()) {
                a.put(NS + "platforms", e.platforms());
            }
            if (e.subject() != null) {
                a.put(NS + "subject", e.subject());
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ArchiveIndex parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new ArchiveException("index.json is larger than " + MAX_BYTES + " bytes");
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            List<Entry> out = new ArrayList<>();
            List<JsonNode> foreign = new ArrayList<>();
            int n = 0;
            for (JsonNode d : root.path("manifests")) {
                n++;
                JsonNode a = d.path("annotations");
                String repository = a.path(NS + "repository").asText(null);
                if (repository == null) {
                    foreign.add(
                            d); // an entry another tool added: left alone, and written back as it
                    // was
                    continue;
                }
                Entry e =
                        new Entry(
                                repository,
                                a.path(NS + "tag").asText(null),
                                d.path("digest").asText(),
                                d.path("mediaType").asText(),
                                d.path("size").asLong(),
                                Instant.parse(
                                        a.path(NS + "archived-at").asText("1970-01-01T00:00:00Z")),
                                a.path(NS + "complete").asBoolean(false),
                                a.path(NS + "bytes-stored").asLong(0),
                                a.path(NS + "bytes-deduplicated").asLong(0),
                                a.path(NS + "platforms").asText(""),
                                a.path(NS + "subject").asText(null));
                String bad = invalid(e);
                if (bad != null) {
                    // names go into registry URLs and digests into object keys: a tampered entry
                    // stops every use of the index
                    throw new ArchiveException(
                            "entry " + n + " of index.json " + bad + "; fix or remove that entry");
                }
                out.add(e);
            }
            return new ArchiveIndex(out, foreign);
        } catch (ArchiveException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ArchiveException("index.json cannot be read: " + e.getMessage(), e);
        }
    }
}
