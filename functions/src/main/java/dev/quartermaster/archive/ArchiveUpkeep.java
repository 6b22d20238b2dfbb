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
 * deleted from ECR longer than the retention ago leave the index; then a mark-and-sweep removes
 * blobs no remaining entry reaches, if older than the grace period).
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

    public ArchiveLayout layout() {
        return layout;
    }

    /**
     * What a scrub found. {@code finished} false: the deadline came first or batches failed; the
     * next run starts afresh.
     */
    public record Scrubbed(
            int blobs,
            int checked,
            long bytesChecked,
            List<String> corrupt,
            List<String> incomplete,
            boolean finished) {}

    /** A blob to re-hash: its digest and the size it was stored at. */
    public record BlobRef(String digest, long size) {}

    /**
     * An archived image (or referrer) as the index has it: what the scrub checks for completeness
     * and the prune's mark walks. {@code ref} names it in messages (the first index entry of the
     * image); {@code complete} is what the index says.
     */
    public record ImageRef(
            String repository,
            String digest,
            String mediaType,
            long size,
            String ref,
            boolean complete,
            boolean referrer) {
        ArchiveIndex.Entry entry() {
            return new ArchiveIndex.Entry(
                    repository,
                    null,
                    digest,
                    mediaType,
                    size,
                    Instant.EPOCH,
                    complete,
                    0,
                    0,
                    "",
                    null);
        }

        String image() {
            return repository + "@" + digest;
        }
    }

    /**
     * The scrub's plan: how many blobs there are, the ones drawn to be re-hashed (by digest), every
     * image once.
     */
    public record ScrubPlan(int blobs, List<BlobRef> sampled, List<ImageRef> images) {}

    /**
     * One batch of re-hashing: blobs hashed, their bytes, the corrupt ones (quarantined), gone
     * ones, ones left for lack of time.
     */
    public record Rehashed(
            int checked, long bytes, List<String> corrupt, int gone, int unfinished) {}

    /**
     * An image whose completeness the check found other than the index says, or incomplete: {@code
     * missing} blobs it lacks.
     */
    public record Completeness(
            String repository,
            String digest,
            String ref,
            boolean complete,
            int missing,
            boolean changed,
            boolean referrer) {}

    /**
     * Re-hashes {@code percent}% of the blobs (chosen at random; 100 = all): one that no longer
     * hashes to its digest is moved to {@code quarantine/} (kept for inspection; the next archive
     * of an image that needs it copies it again from the registry). Then every index entry is
     * walked: an image with a blob missing is recorded incomplete on its digest in the ledger.
     * Mismatches and incomplete images alert. The same steps a scrub run takes as a state machine
     * ({@link #scrubPlan}, {@link #rehash}, {@link #check}, {@link #scrubFold}), here in one batch
     * each.
     */
    public Scrubbed scrub(int percent, Instant deadline, Random random) {
        return scrub(percent, deadline, random, null);
    }

    /**
     * @param repository only the blobs and images of this repository (null: the whole archive)
     */
    public Scrubbed scrub(int percent, Instant deadline, Random random, String repository) {
        ScrubPlan plan = scrubPlan(percent, random, repository);
        Rehashed rehashed = rehash(plan.sampled(), deadline);
        return scrubFold(plan.blobs(), List.of(rehashed), check(plan.images()), 0);
    }

    /**
     * The scrub's first step: the blobs to re-hash (a random {@code percent}, in digest order) and
     * every image to check.
     */
    public ScrubPlan scrubPlan(int percent, Random random, String repository) {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("scrub percent must be 1..100, not " + percent);
        }
        List<ArchiveLayout.BlobInfo> blobs = new ArrayList<>(layout.blobs());
        blobs.sort(java.util.Comparator.comparing(ArchiveLayout.BlobInfo::digest));
        ArchiveIndex index = layout.readIndex().index();
        if (repository != null) {
            Set<String> ofRepository = new HashSet<>();
            index.entries().stream()
                    .filter(e -> e.repository().equals(repository))
                    .forEach(e -> ofRepository.addAll(reach(e, null, new HashSet<>())));
            blobs = blobs.stream().filter(b -> ofRepository.contains(b.digest())).toList();
        }
        List<BlobRef> sampled = new ArrayList<>();
        for (ArchiveLayout.BlobInfo b : blobs) {
            if (percent == 100 || random.nextInt(100) < percent) {
                sampled.add(new BlobRef(b.digest(), b.size()));
            }
        }
        List<ImageRef> images = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ArchiveIndex.Entry e : index.entries()) {
            if ((repository != null && !e.repository().equals(repository))
                    || !seen.add(e.repository() + "@" + e.digest())) {
                continue;
            }
            images.add(
                    new ImageRef(
                            e.repository(),
                            e.digest(),
                            e.mediaType(),
                            e.size(),
                            e.refName(),
                            e.complete(),
                            e.subject() != null));
        }
        return new ScrubPlan(blobs.size(), sampled, images);
    }

    /**
     * One batch of the scrub: re-hashes each blob; one that no longer hashes to its digest goes to
     * {@code quarantine/}. Idempotent: a blob already quarantined (by an earlier attempt of this
     * batch) is reported corrupt again; one the prune removed since the plan is counted gone. Stops
     * starting blobs at {@code deadline} (the rest are unfinished).
     */
    public Rehashed rehash(List<BlobRef> blobs, Instant deadline) {
        List<String> corrupt = new ArrayList<>();
        int checked = 0;
        int gone = 0;
        long bytes = 0;
        for (int i = 0; i < blobs.size(); i++) {
            BlobRef b = blobs.get(i);
            if (clock.instant().isAfter(deadline)) {
                return new Rehashed(checked, bytes, corrupt, gone, blobs.size() - i);
            }
            Boolean ok = hashes(b);
            if (ok == null) {
                if (layout.quarantined(b.digest())) {
                    corrupt.add(b.digest());
                    checked++;
                    bytes += b.size();
                } else {
                    gone++;
                }
                continue;
            }
            if (!ok) {
                corrupt.add(b.digest());
                layout.quarantine(b.digest());
            }
            checked++;
            bytes += b.size();
        }
        return new Rehashed(checked, bytes, corrupt, gone, 0);
    }

    /**
     * One batch of the scrub's completeness check: each image's manifests walked in the archive,
     * each blob looked up (once per batch). Answers the images that are incomplete or whose
     * completeness the index states otherwise.
     */
    public List<Completeness> check(List<ImageRef> images) {
        Map<String, Boolean> present = new HashMap<>();
        java.util.function.Predicate<String> isPresent =
                d -> present.computeIfAbsent(d, x -> layout.blob(x).isPresent());
        List<Completeness> out = new ArrayList<>();
        for (ImageRef image : images) {
            Set<String> missing = new HashSet<>();
            reachable(layout, image.entry(), isPresent, missing);
            boolean complete = missing.isEmpty();
            if (!complete || complete != image.complete()) {
                out.add(
                        new Completeness(
                                image.repository(),
                                image.digest(),
                                image.ref(),
                                complete,
                                missing.size(),
                                complete != image.complete(),
                                image.referrer()));
            }
        }
        return out;
    }

    /**
     * The scrub's last step: the ledger gets each image whose completeness changed, the index too,
     * and corrupt blobs or incomplete images alert (once for the run).
     *
     * @param failedBatches batches that never answered: the run did not cover the whole archive
     */
    public Scrubbed scrubFold(
            int blobs, List<Rehashed> rehashed, List<Completeness> checked, int failedBatches) {
        List<String> corrupt =
                rehashed.stream().flatMap(r -> r.corrupt().stream()).sorted().toList();
        int hashed = rehashed.stream().mapToInt(Rehashed::checked).sum();
        long bytes = rehashed.stream().mapToLong(Rehashed::bytes).sum();
        boolean finished =
                failedBatches == 0 && rehashed.stream().allMatch(r -> r.unfinished() == 0);
        List<Completeness> sorted =
                checked.stream().sorted(java.util.Comparator.comparing(Completeness::ref)).toList();
        List<String> incomplete =
                sorted.stream()
                        .filter(c -> !c.complete())
                        .map(c -> c.ref() + " (" + c.missing() + " blob(s) missing)")
                        .toList();
        Map<String, Boolean> completeness = new LinkedHashMap<>();
        sorted.stream()
                .filter(Completeness::changed)
                .forEach(c -> completeness.put(c.repository() + "@" + c.digest(), c.complete()));
        if (!completeness.isEmpty()) {
            ArchiveIndex index = layout.readIndex().index();
            for (Completeness c : sorted) {
                if (!c.changed() || c.referrer()) {
                    continue;
                }
                index.byDigest(c.repository(), c.digest()).stream()
                        .filter(e -> e.subject() == null)
                        .findFirst()
                        .ifPresent(
                                e ->
                                        ledger.recordArchive(
                                                e.repository(),
                                                e.digest(),
                                                new ImageRecord.Archive(
                                                        c.complete(),
                                                        e.bytesStored(),
                                                        e.bytesDeduplicated(),
                                                        clock.instant())));
            }
            ImageArchiver.updateIndex(
                    layout,
                    i ->
                            i.withEntries(
                                    i.entries().stream()
                                            .map(
                                                    x -> {
                                                        Boolean c =
                                                                completeness.get(
                                                                        x.repository()
                                                                                + "@"
                                                                                + x.digest());
                                                        return c == null || c == x.complete()
                                                                ? x
                                                                : new ArchiveIndex.Entry(
                                                                        x.repository(),
                                                                        x.tag(),
                                                                        x.digest(),
                                                                        x.mediaType(),
                                                                        x.size(),
                                                                        x.archivedAt(),
                                                                        c,
                                                                        x.bytesStored(),
                                                                        x.bytesDeduplicated(),
                                                                        x.platforms(),
                                                                        x.subject());
                                                    })
                                            .toList()));
        }
        if (!corrupt.isEmpty() || !incomplete.isEmpty()) {
            alerts.publish(
                    new Alert(
                                    "ARCHIVE_SCRUB",
                                    "ARCHIVE SCRUB: "
                                            + corrupt.size()
                                            + " corrupt blob(s), "
                                            + incomplete.size()
                                            + " incomplete image(s)",
                                    "The scrub of "
                                            + layout.describe()
                                            + " re-hashed "
                                            + hashed
                                            + " blob(s). Corrupt (moved to quarantine/): "
                                            + head(corrupt)
                                            + ". Incomplete images: "
                                            + head(incomplete)
                                            + ". The daily reconcile copies missing blobs again while the images are still in the registry.",
                                    Map.of(
                                            "corrupt",
                                            Integer.toString(corrupt.size()),
                                            "incomplete",
                                            Integer.toString(incomplete.size())))
                            .withNext("bin/qm archive verify --aws"));
        }
        return new Scrubbed(blobs, hashed, bytes, corrupt, incomplete, finished);
    }

    private static String head(List<String> items) {
        if (items.isEmpty()) {
            return "none";
        }
        return String.join(", ", items.subList(0, Math.min(20, items.size())))
                + (items.size() > 20 ? " and " + (items.size() - 20) + " more" : "");
    }

    /**
     * Whether the blob still hashes to its digest at its size; null when it is no longer stored.
     */
    private Boolean hashes(BlobRef b) {
        InputStream in;
        try {
            in = layout.openBlob(b.digest());
        } catch (ArchiveException e) {
            if (layout.blob(b.digest()).isEmpty()) {
                return null;
            }
            throw e;
        }
        try (in;
                Digests.CountingDigestStream h = new Digests.CountingDigestStream(in)) {
            h.transferTo(java.io.OutputStream.nullOutputStream());
            return h.count() == b.size() && ("sha256:" + h.hex()).equals(b.digest());
        } catch (IOException e) {
            throw new ArchiveException(
                    "reading blob " + b.digest() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Every blob {@code e} reaches; those not in {@code present} go to {@code missing}. With {@code
     * present} null (the prune's mark), manifests are read whatever a listing said: one stored
     * after the listing still counts.
     */
    private Set<String> reach(
            ArchiveIndex.Entry e, Map<String, Long> present, Set<String> missing) {
        return reachable(layout, e, present, missing).keySet();
    }

    private Set<String> reach(ArchiveIndex.Entry e, Set<String> missing) {
        return reachable(layout, e, (java.util.function.Predicate<String>) null, missing).keySet();
    }

    /**
     * The descriptors an archived entry reaches through the manifests stored in {@code layout}, by
     * digest: what the scrub, the prune's mark and a restore's progress totals all walk. See {@link
     * #reach}.
     */
    public static Map<String, Descriptor> reachable(
            ArchiveLayout layout,
            ArchiveIndex.Entry e,
            Map<String, Long> present,
            Set<String> missing) {
        return reachable(layout, e, present == null ? null : present::containsKey, missing);
    }

    /**
     * As above, with presence asked of {@code present} (null: every manifest is read, whatever is
     * stored).
     */
    public static Map<String, Descriptor> reachable(
            ArchiveLayout layout,
            ArchiveIndex.Entry e,
            java.util.function.Predicate<String> present,
            Set<String> missing) {
        Map<String, Descriptor> reached = new java.util.LinkedHashMap<>();
        ImageSource source = ImageSource.fromLayout(layout);
        List<Descriptor> todo =
                new ArrayList<>(
                        List.of(
                                new Descriptor(
                                        e.mediaType(), e.digest(), e.size(), null, Map.of())));
        while (!todo.isEmpty()) {
            Descriptor d = todo.remove(todo.size() - 1);
            if (reached.putIfAbsent(d.digest(), d) != null) {
                continue;
            }
            if (present != null && !present.test(d.digest())) {
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

    /**
     * What a prune did; {@code stopped} says why the sweep stopped before the end (null: it did
     * not); {@code finished} is false when the sweep ran out of time (what it left is swept by the
     * next run).
     */
    public record Pruned(
            int entriesRemoved,
            int blobsDeleted,
            long bytesFreed,
            int blobsKept,
            int youngUnreferenced,
            String stopped,
            boolean finished) {}

    /**
     * The prune's plan: index entries removed, the entries the mark walks (every remaining one,
     * once per image), and why the sweep cannot run this time (null: it can), i.e. what settling a
     * trash left by an earlier run stopped at.
     */
    public record PrunePlan(int entriesRemoved, List<ImageRef> entries, String stopped) {}

    /**
     * One batch of the mark: what its entries reach, the manifests it could not read, and which
     * images it covered.
     */
    public record Mark(Set<String> referenced, Set<String> unreadable, Set<String> covered) {}

    /**
     * Drops the index entries of images deleted from the registry more than {@code retention} ago
     * (the ledger says when), and of referrers whose image is gone; then sweeps blobs no entry
     * reaches and written longer than {@code grace} ago. The sweep deletes only what it proved
     * unreferenced:
     *
     * <ul>
     *   <li>the mark reads every manifest it reaches; one it cannot read (a failed read, a
     *       quarantined blob) stops the sweep before anything is deleted, since its children would
     *       look unreferenced;
     *   <li>each batch is first moved to {@code trash/} (an archiver looking for one of its blobs
     *       then finds it missing and copies it again), then the index is read again: unchanged,
     *       the batch is purged; changed (an archiver added an image meanwhile, perhaps after
     *       finding these blobs present), the blobs the new index reaches go back (all of them if
     *       that mark has a doubt) and the sweep stops;
     *   <li>a batch a crashed prune left in {@code trash/} is settled the same way at the start of
     *       the next run.
     * </ul>
     *
     * A stopped sweep alerts ({@code ARCHIVE_PRUNE_STOPPED}) and deletes nothing more until the
     * next run. The same steps a prune run takes as a state machine ({@link #prunePlan}, {@link
     * #mark}, {@link #pruneFold}), the mark here in one batch.
     */
    public Pruned prune(Duration retention, Duration grace) {
        PrunePlan plan = prunePlan(retention);
        return pruneFold(
                plan,
                plan.stopped() == null ? List.of(mark(plan.entries())) : List.of(),
                grace,
                Instant.MAX);
    }

    /**
     * The prune's first step: entries past retention leave the index; a trash left by a crashed run
     * is settled; what to mark.
     */
    public PrunePlan prunePlan(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        int[] removed = {0};
        ImageArchiver.updateIndex(
                layout,
                index -> {
                    ArchiveIndex kept =
                            index.without(
                                    e ->
                                            e.subject() == null
                                                    && ledger.image(e.repository(), e.digest())
                                                            .map(
                                                                    r ->
                                                                            r.deleted()
                                                                                    && r.deletedAt()
                                                                                            != null
                                                                                    && r.deletedAt()
                                                                                            .isBefore(
                                                                                                    cutoff))
                                                            .orElse(false));
                    Set<String> images = new HashSet<>();
                    kept.entries().stream()
                            .filter(e -> e.subject() == null)
                            .forEach(e -> images.add(e.repository() + "@" + e.digest()));
                    kept =
                            kept.without(
                                    e ->
                                            e.subject() != null
                                                    && !images.contains(
                                                            e.repository() + "@" + e.subject()));
                    removed[0] = index.entries().size() - kept.entries().size();
                    return kept;
                });
        List<String> leftover = layout.trashed();
        if (!leftover.isEmpty()) {
            String stopped = settle(leftover, layout.readIndex(), null);
            if (stopped != null) {
                return new PrunePlan(
                        removed[0], List.of(), "trash left by an earlier run: " + stopped);
            }
        }
        return new PrunePlan(removed[0], entries(layout.readIndex().index()), null);
    }

    /** Every image (or referrer) of the index once, in the index's order. */
    private static List<ImageRef> entries(ArchiveIndex index) {
        List<ImageRef> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ArchiveIndex.Entry e : index.entries()) {
            if (seen.add(e.repository() + "@" + e.digest())) {
                out.add(
                        new ImageRef(
                                e.repository(),
                                e.digest(),
                                e.mediaType(),
                                e.size(),
                                e.refName(),
                                e.complete(),
                                e.subject() != null));
            }
        }
        return out;
    }

    /**
     * One batch of the mark: every blob its entries reach, through the manifests stored in the
     * archive. Reads only.
     */
    public Mark mark(List<ImageRef> entries) {
        Set<String> referenced = new HashSet<>();
        Set<String> unreadable = new HashSet<>();
        Set<String> covered = new HashSet<>();
        for (ImageRef e : entries) {
            referenced.addAll(reach(e.entry(), unreadable));
            covered.add(e.image());
        }
        return new Mark(referenced, unreadable, covered);
    }

    /**
     * The prune's last step, the sweep, with the marks of the run's batches: entries of the index
     * now that no batch covered (added since the plan, or in a batch that failed) are marked here;
     * any doubt stops it. Stops starting batches at {@code deadline}.
     */
    public Pruned pruneFold(PrunePlan plan, List<Mark> marks, Duration grace, Instant deadline) {
        int removed = plan.entriesRemoved();
        if (plan.stopped() != null) {
            return stop(removed, 0, 0, layout.blobs().size(), 0, plan.stopped());
        }
        Instant now = clock.instant();
        List<ArchiveLayout.BlobInfo> blobs = layout.blobs();
        ArchiveLayout.Versioned marked = layout.readIndex();
        Mark mark = union(marks);
        mark = uncovered(marked.index(), mark);
        if (!mark.unreadable().isEmpty()) {
            return stop(removed, 0, 0, blobs.size(), 0, unreadable(mark.unreadable()));
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
            if (clock.instant().isAfter(deadline)) {
                return new Pruned(
                        removed, deleted, freed, blobs.size() - deleted, young, null, false);
            }
            List<ArchiveLayout.BlobInfo> batch =
                    candidates.subList(i, Math.min(candidates.size(), i + DELETE_BATCH));
            List<String> digests = batch.stream().map(ArchiveLayout.BlobInfo::digest).toList();
            layout.trash(digests);
            ArchiveLayout.Versioned after = layout.readIndex();
            if (!java.util.Objects.equals(after.version(), marked.version())) {
                String why = settle(digests, after, mark);
                return stop(
                        removed,
                        deleted,
                        freed,
                        blobs.size() - deleted,
                        young,
                        "the index changed during the sweep (an archiver ran); "
                                + (why == null ? "the batch was settled against it" : why));
            }
            layout.purge(digests);
            deleted += batch.size();
            freed += batch.stream().mapToLong(ArchiveLayout.BlobInfo::size).sum();
        }
        return new Pruned(removed, deleted, freed, blobs.size() - deleted, young, null, true);
    }

    private static Mark union(List<Mark> marks) {
        Set<String> referenced = new HashSet<>();
        Set<String> unreadable = new HashSet<>();
        Set<String> covered = new HashSet<>();
        marks.forEach(
                m -> {
                    referenced.addAll(m.referenced());
                    unreadable.addAll(m.unreadable());
                    covered.addAll(m.covered());
                });
        return new Mark(referenced, unreadable, covered);
    }

    /** {@code mark} completed for {@code index}: its entries no batch covered are walked here. */
    private Mark uncovered(ArchiveIndex index, Mark mark) {
        List<ImageRef> rest =
                entries(index).stream().filter(e -> !mark.covered().contains(e.image())).toList();
        return rest.isEmpty() ? mark : union(List.of(mark, mark(rest)));
    }

    /**
     * Trashed blobs against {@code index}: those it reaches go back, the rest are purged; if its
     * mark has a doubt, all go back. {@code known} is a mark already made (of an earlier version:
     * only the entries it did not cover are walked again); null marks the whole index.
     *
     * @return why the sweep must stop, or null when every blob was settled with certainty
     */
    private String settle(List<String> trashed, ArchiveLayout.Versioned index, Mark known) {
        Mark again = known == null ? mark(entries(index.index())) : uncovered(index.index(), known);
        if (!again.unreadable().isEmpty()) {
            layout.untrash(trashed);
            return "every trashed blob was put back: " + unreadable(again.unreadable());
        }
        List<String> back = trashed.stream().filter(again.referenced()::contains).toList();
        layout.untrash(back);
        layout.purge(trashed.stream().filter(d -> !again.referenced().contains(d)).toList());
        return back.isEmpty() ? null : back.size() + " blob(s) the new index reaches were put back";
    }

    private static String unreadable(Set<String> unreadable) {
        return "manifest(s) that could not be read, so what they reference is unknown: "
                + head(List.copyOf(new java.util.TreeSet<>(unreadable)));
    }

    private Pruned stop(int removed, int deleted, long freed, int kept, int young, String why) {
        alerts.publish(
                new Alert(
                                "ARCHIVE_PRUNE_STOPPED",
                                "ARCHIVE PRUNE STOPPED: nothing more deleted this run",
                                "The prune of "
                                        + layout.describe()
                                        + " stopped its sweep after "
                                        + deleted
                                        + " blob(s): "
                                        + why
                                        + ". It deletes only what it proved unreferenced; the next run tries again. A manifest that stays unreadable "
                                        + "needs a look (the scrub's quarantine/, or the registry).",
                                Map.of("blobsDeleted", Integer.toString(deleted)))
                        .withNext("bin/qm archive verify --aws"));
        return new Pruned(removed, deleted, freed, kept, young, why, true);
    }

    /** Where this service's alerts go (an upkeep run's fold alerts there too). */
    public Alerts alerts() {
        return alerts;
    }
}
