package dev.quartermaster.archive;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.Manifest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The archive's weekly scrub (re-hash blobs, check every image is complete) and its prune (images
 * deleted from ECR longer than the retention ago leave the index; then a mark-and-sweep removes blobs
 * no remaining entry reaches, if older than the grace period).
 */
public final class ArchiveUpkeep {
    private static final int DELETE_BATCH = 100;
    private final ArchiveLayout layout;
    private final LedgerStore ledger;
    private final Alerts alerts;
    private final Clock clock;

    public ArchiveUpkeep(ArchiveLayout layout, LedgerStore ledger, Alerts alerts, Clock clock) {
        this.layout = layout;
        this.ledger = ledger;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** What a scrub found. {@code finished} false: the deadline came first; the next run starts afresh. */
    public record Scrubbed(int blobs, int checked, long bytesChecked, List<String> corrupt, List<String> incomplete, boolean finished) {
    }

    /**
     * Re-hashes {@code percent}% of the blobs (chosen at random; 100 = all): one that no longer hashes to
     * its digest is moved to {@code quarantine/} (kept for inspection; the next archive of an image that
     * needs it copies it again from the registry). Then every index entry is walked: an image with a blob
     * missing is recorded incomplete on its digest in the ledger. Mismatches and incomplete images alert.
     */
    public Scrubbed scrub(int percent, Instant deadline, Random random) {
        return scrub(percent, deadline, random, null);
    }

    /** @param repository only the blobs and images of this repository (null: the whole archive) */
    public Scrubbed scrub(int percent, Instant deadline, Random random, String repository) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("scrub percent must be 1..100, not " + percent);
        }
        List<ArchiveLayout.BlobInfo> blobs = layout.blobs();
        if (repository != null) {
            Set<String> ofRepository = new HashSet<>();
            layout.readIndex().index().entries().stream().filter(e -> e.repository().equals(repository))
                    .forEach(e -> ofRepository.addAll(reach(e, null, new HashSet<>())));
            blobs = blobs.stream().filter(b -> ofRepository.contains(b.digest())).toList();
        }
        List<String> corrupt = new ArrayList<>();
        int checked = 0;
        long bytes = 0;
        boolean finished = true;
        for (ArchiveLayout.BlobInfo b : blobs) {
            if (percent < 100 && random.nextInt(100) >= percent) {
                continue;
            }
            if (clock.instant().isAfter(deadline)) {
                finished = false;
                break;
            }
            if (!hashes(b)) {
                corrupt.add(b.digest());
                layout.quarantine(b.digest());
            }
            checked++;
            bytes += b.size();
        }
        Map<String, Long> present = new HashMap<>();
        layout.blobs().forEach(b -> present.put(b.digest(), b.size()));
        List<String> incomplete = new ArrayList<>();
        ArchiveIndex index = layout.readIndex().index();
        Map<String, Boolean> completeness = new LinkedHashMap<>();
        for (ArchiveIndex.Entry e : index.entries()) {
            String image = e.repository() + "@" + e.digest();
            if (completeness.containsKey(image) || (repository != null && !e.repository().equals(repository))) {
                continue;
            }
            Set<String> missing = new HashSet<>();
            reach(e, present, missing);
            boolean complete = missing.isEmpty();
            completeness.put(image, complete);
            if (!complete) {
                incomplete.add(e.refName() + " (" + missing.size() + " blob(s) missing)");
            }
            if (complete != e.complete() && e.subject() == null) {
                ledger.recordArchive(e.repository(), e.digest(), new ImageRecord.Archive(complete, e.bytesStored(), e.bytesDeduplicated(), clock.instant()));
            }
        }
        ImageArchiver.updateIndex(layout, i -> i.withEntries(i.entries().stream().map(x -> {
            Boolean c = completeness.get(x.repository() + "@" + x.digest());
            return c == null || c == x.complete() ? x : new ArchiveIndex.Entry(x.repository(), x.tag(), x.digest(), x.mediaType(), x.size(),
                    x.archivedAt(), c, x.bytesStored(), x.bytesDeduplicated(), x.platforms(), x.subject());
        }).toList()));
        if (!corrupt.isEmpty() || !incomplete.isEmpty()) {
            alerts.publish(new Alert("ARCHIVE_SCRUB", "ARCHIVE SCRUB: " + corrupt.size() + " corrupt blob(s), " + incomplete.size() + " incomplete image(s)",
                    "The scrub of " + layout.describe() + " re-hashed " + checked + " blob(s). Corrupt (moved to quarantine/): "
                            + head(corrupt) + ". Incomplete images: " + head(incomplete)
                            + ". The daily reconcile copies missing blobs again while the images are still in the registry.",
                    Map.of("corrupt", Integer.toString(corrupt.size()), "incomplete", Integer.toString(incomplete.size())))
                    .withNext("bin/qm archive verify --aws"));
        }
        return new Scrubbed(blobs.size(), checked, bytes, corrupt, incomplete, finished);
    }

    private static String head(List<String> items) {
        if (items.isEmpty()) {
            return "none";
        }
        return String.join(", ", items.subList(0, Math.min(20, items.size()))) + (items.size() > 20 ? " and " + (items.size() - 20) + " more" : "");
    }

    private boolean hashes(ArchiveLayout.BlobInfo b) {
        try (InputStream in = layout.openBlob(b.digest()); Digests.CountingDigestStream h = new Digests.CountingDigestStream(in)) {
            h.transferTo(java.io.OutputStream.nullOutputStream());
            return h.count() == b.size() && ("sha256:" + h.hex()).equals(b.digest());
        } catch (IOException e) {
            throw new ArchiveException("reading blob " + b.digest() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Every blob {@code e} reaches; those not in {@code present} go to {@code missing}. With {@code present}
     * null (the prune's mark), manifests are read whatever a listing said: one stored after the listing still counts.
     */
    private Set<String> reach(ArchiveIndex.Entry e, Map<String, Long> present, Set<String> missing) {
        return reachable(layout, e, present, missing).keySet();
    }

    /**
     * The descriptors an archived entry reaches through the manifests stored in {@code layout}, by digest:
     * what the scrub, the prune's mark and a restore's progress totals all walk. See {@link #reach}.
     */
    public static Map<String, Descriptor> reachable(ArchiveLayout layout, ArchiveIndex.Entry e, Map<String, Long> present, Set<String> missing) {
        Map<String, Descriptor> reached = new java.util.LinkedHashMap<>();
        ImageSource source = ImageSource.fromLayout(layout);
        List<Descriptor> todo = new ArrayList<>(List.of(new Descriptor(e.mediaType(), e.digest(), e.size(), null, Map.of())));
        while (!todo.isEmpty()) {
            Descriptor d = todo.remove(todo.size() - 1);
            if (reached.putIfAbsent(d.digest(), d) != null) {
                continue;
            }
            if (present != null && !present.containsKey(d.digest())) {
                missing.add(d.digest());
                continue;
            }
            if (isManifest(d)) {
                try {
                    Manifest m = source.manifest(e.repository(), d.digest(), d.mediaType());
                    todo.addAll(m.children());
                } catch (ArchiveException | dev.quartermaster.registry.RegistryException x) {
                    missing.add(d.digest());
                }
            }
        }
        return reached;
    }

    /** A manifest or index (walked into), as opposed to a config or layer. */
    public static boolean isManifest(Descriptor d) {
        String t = d.mediaType() == null ? "" : d.mediaType();
        return t.contains("manifest") || t.contains("image.index");
    }

    /** What a prune did; {@code stopped} says why the sweep stopped before the end (null: it did not). */
    public record Pruned(int entriesRemoved, int blobsDeleted, long bytesFreed, int blobsKept, int youngUnreferenced, String stopped) {
    }

    /**
     * Drops the index entries of images deleted from the registry more than {@code retention} ago (the
     * ledger says when), and of referrers whose image is gone; then sweeps blobs no entry reaches and written
     * longer than {@code grace} ago. The sweep deletes only what it proved unreferenced:
     * <ul>
     * <li>the mark reads every manifest it reaches; one it cannot read (a failed read, a quarantined blob)
     *     stops the sweep before anything is deleted, since its children would look unreferenced;</li>
     * <li>each batch is first moved to {@code trash/} (an archiver looking for one of its blobs then finds it
     *     missing and copies it again), then the index is read again: unchanged, the batch is purged; changed
     *     (an archiver added an image meanwhile, perhaps after finding these blobs present), the blobs the new
     *     index reaches go back (all of them if that mark has a doubt) and the sweep stops;</li>
     * <li>a batch a crashed prune left in {@code trash/} is settled the same way at the start of the next run.</li>
     * </ul>
     * A stopped sweep alerts ({@code ARCHIVE_PRUNE_STOPPED}) and deletes nothing more until the next run.
     */
    public Pruned prune(Duration retention, Duration grace) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(retention);
        int[] removed = {0};
        ImageArchiver.updateIndex(layout, index -> {
            ArchiveIndex kept = index.without(e -> e.subject() == null && ledger.image(e.repository(), e.digest())
                    .map(r -> r.deleted() && r.deletedAt() != null && r.deletedAt().isBefore(cutoff)).orElse(false));
            Set<String> images = new HashSet<>();
            kept.entries().stream().filter(e -> e.subject() == null).forEach(e -> images.add(e.repository() + "@" + e.digest()));
            kept = kept.without(e -> e.subject() != null && !images.contains(e.repository() + "@" + e.subject()));
            removed[0] = index.entries().size() - kept.entries().size();
            return kept;
        });
        List<String> leftover = layout.trashed();
        if (!leftover.isEmpty()) {
            String stopped = settle(leftover, layout.readIndex());
            if (stopped != null) {
                return stop(removed[0], 0, 0, layout.blobs().size(), 0, "trash left by an earlier run: " + stopped);
            }
        }
        List<ArchiveLayout.BlobInfo> blobs = layout.blobs();
        ArchiveLayout.Versioned marked = layout.readIndex();
        Mark mark = mark(marked.index());
        if (!mark.unreadable().isEmpty()) {
            return stop(removed[0], 0, 0, blobs.size(), 0, unreadable(mark));
        }
        List<ArchiveLayout.BlobInfo> candidates = new ArrayList<>();
        int young = 0;
        for (ArchiveLayout.BlobInfo b : blobs) {
            if (mark.referenced().contains(b.digest())) {
                continue;
            }
            if (b.lastModified().isAfter(now.minus(grace))) {
                young++;
            } else {
                candidates.add(b);
            }
        }
        int deleted = 0;
        long freed = 0;
        for (int i = 0; i < candidates.size(); i += DELETE_BATCH) {
            List<ArchiveLayout.BlobInfo> batch = candidates.subList(i, Math.min(candidates.size(), i + DELETE_BATCH));
            List<String> digests = batch.stream().map(ArchiveLayout.BlobInfo::digest).toList();
            layout.trash(digests);
            ArchiveLayout.Versioned after = layout.readIndex();
            if (!java.util.Objects.equals(after.version(), marked.version())) {
                String why = settle(digests, after);
                return stop(removed[0], deleted, freed, blobs.size() - deleted, young,
                        "the index changed during the sweep (an archiver ran); " + (why == null ? "the batch was settled against it" : why));
            }
            layout.purge(digests);
            deleted += batch.size();
            freed += batch.stream().mapToLong(ArchiveLayout.BlobInfo::size).sum();
        }
        return new Pruned(removed[0], deleted, freed, blobs.size() - deleted, young, null);
    }

    /**
     * Trashed blobs against {@code index}: those it reaches go back, the rest are purged; if its mark has a
     * doubt, all go back. @return why the sweep must stop, or null when every blob was settled with certainty
     */
    private String settle(List<String> trashed, ArchiveLayout.Versioned index) {
        Mark again = mark(index.index());
        if (!again.unreadable().isEmpty()) {
            layout.untrash(trashed);
            return "every trashed blob was put back: " + unreadable(again);
        }
        List<String> back = trashed.stream().filter(again.referenced()::contains).toList();
        layout.untrash(back);
        layout.purge(trashed.stream().filter(d -> !again.referenced().contains(d)).toList());
        return back.isEmpty() ? null : back.size() + " blob(s) the new index reaches were put back";
    }

    private static String unreadable(Mark mark) {
        return "manifest(s) that could not be read, so what they reference is unknown: " + head(List.copyOf(mark.unreadable()));
    }

    private Pruned stop(int removed, int deleted, long freed, int kept, int young, String why) {
        alerts.publish(new Alert("ARCHIVE_PRUNE_STOPPED", "ARCHIVE PRUNE STOPPED: nothing more deleted this run",
                "The prune of " + layout.describe() + " stopped its sweep after " + deleted + " blob(s): " + why
                        + ". It deletes only what it proved unreferenced; the next run tries again. A manifest that stays unreadable "
                        + "needs a look (the scrub's quarantine/, or the registry).",
                Map.of("blobsDeleted", Integer.toString(deleted))).withNext("bin/qm archive verify --aws"));
        return new Pruned(removed, deleted, freed, kept, young, why);
    }

    /** What the index reaches, and the manifests the walk could not read (their children are unknown). */
    private record Mark(Set<String> referenced, Set<String> unreadable) {
    }

    private Mark mark(ArchiveIndex index) {
        Set<String> referenced = new HashSet<>();
        Set<String> unreadable = new HashSet<>();
        for (ArchiveIndex.Entry e : index.entries()) {
            referenced.addAll(reach(e, null, unreadable));
        }
        return new Mark(referenced, unreadable);
    }
}
