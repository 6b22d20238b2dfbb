package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The in-memory twin of {@link DynamoDbLedgerStore}, for unit tests and fast local runs: the same
 * semantics (the event marker, the heads' optimistic versions, the image guards, all-or-nothing
 * writes), proven by the same contract test. One lock: writes are atomic by construction.
 */
public final class InMemoryLedgerStore implements LedgerStore {
    private record Image(
            String manifestMediaType,
            String artifactMediaType,
            Instant firstPushedAt,
            Instant lastPushedAt,
            Set<String> tags,
            boolean deleted,
            Instant deletedAt,
            String indexDigest,
            ImageRecord.Verification verification,
            Map<String, Integer> scanCounts,
            boolean scanFailed) {
        static Image empty() {
            return new Image(
                    null, null, null, null, Set.of(), false, null, null, null, null, false);
        }
    }

    /** The storage class of a digest, kept beside its image as the archive and signature are. */
    private final Map<String, ImageRecord.Storage> storage = new HashMap<>();

    private final Map<String, List<StorageEvent>> storageHistory = new HashMap<>();

    private final Map<String, TagHead> heads = new HashMap<>();
    private final Map<String, List<TagEvent>> history = new HashMap<>();
    private final Map<String, Image> images = new HashMap<>();
    private final Map<String, List<FailedAction>> failures = new HashMap<>();
    private final Map<String, Optional<Alert>> markers = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private final Map<String, ImageRecord.Archive> archives = new HashMap<>();
    private final Map<String, ImageRecord.Signature> signatures = new HashMap<>();
    private final Map<String, ImageRecord.ScanAcceptance> acceptances = new HashMap<>();

    private static String key(String a, String b) {
        return a + "\u0000" + b;
    }

    @Override
    public synchronized Optional<TagHead> head(String repository, String tag) {
        return Optional.ofNullable(heads.get(key(repository, tag)));
    }

    @Override
    public synchronized Optional<ImageRecord> image(String repository, String digest) {
        return Optional.ofNullable(images.get(key(repository, digest)))
                .map(i -> record(repository, digest, i));
    }

    private ImageRecord record(String repository, String digest, Image i) {
        return ImageRecord.builder(repository, digest)
                .mediaTypes(i.manifestMediaType(), i.artifactMediaType())
                .pushed(i.firstPushedAt(), i.lastPushedAt())
                .tags(new TreeSet<>(i.tags()))
                .deleted(i.deleted(), i.deletedAt())
                .indexDigest(i.indexDigest())
                .verification(i.verification())
                .scan(i.scanCounts(), i.scanFailed())
                .archive(archives.get(key(repository, digest)))
                .signature(signatures.get(key(repository, digest)))
                .storage(storage.get(key(repository, digest)))
                .scanAcceptance(acceptances.get(key(repository, digest)))
                .build();
    }

    @Override
    public synchronized List<TagEvent> history(String repository, String tag) {
        List<TagEvent> h = new ArrayList<>(history.getOrDefault(key(repository, tag), List.of()));
        h.sort(Comparator.comparing(TagEvent::at).thenComparing(TagEvent::eventId).reversed());
        return h;
    }

    @Override
    public synchronized List<ImageRecord> images(String repository) {
        TreeMap<String, ImageRecord> out = new TreeMap<>();
        images.forEach(
                (k, v) -> {
                    String[] parts = k.split("\u0000");
                    if (parts[0].equals(repository)) {
                        out.put(parts[1], record(repository, parts[1], v));
                    }
                });
        return List.copyOf(out.values());
    }

    @Override
    public synchronized List<StorageEvent> storageHistory(String repository, String digest) {
        List<StorageEvent> h =
                new ArrayList<>(storageHistory.getOrDefault(key(repository, digest), List.of()));
        h.sort(
                Comparator.comparing(StorageEvent::at)
                        .thenComparing(StorageEvent::eventId)
                        .reversed());
        return h;
    }

    @Override
    public synchronized List<FailedAction> failures(String repository) {
        List<FailedAction> f = new ArrayList<>(failures.getOrDefault(repository, List.of()));
        f.sort(Comparator.comparing(FailedAction::at).reversed());
        return f;
    }

    @Override
    public synchronized void apply(LedgerWrite write) {
        ImageAction a = write.action();
        if (markers.containsKey(a.eventId())) {
            throw new DuplicateEventException(a.eventId());
        }
        // every condition first: nothing is written unless all hold
        for (LedgerWrite.HeadChange h : write.heads()) {
            TagHead current = heads.get(key(h.next().repository(), h.next().tag()));
            boolean holds =
                    h.expected() == null
                            ? current == null
                            : current != null && current.version() == h.expected().version();
            if (!holds) {
                throw new ConcurrentChangeException(
                        "tag head changed while recording event " + a.eventId());
            }
        }
        for (TagEvent e : write.history()) {
            if (history.getOrDefault(key(e.repository(), e.tag()), List.of()).stream()
                    .anyMatch(x -> x.eventId().equals(e.eventId()) && x.at().equals(e.at()))) {
                throw new ConcurrentChangeException("history entry of " + e.eventId() + " exists");
            }
        }
        for (LedgerWrite.ImageChange c : write.images()) {
            Image i = images.getOrDefault(key(c.repository(), c.digest()), Image.empty());
            boolean holds =
                    switch (c.guard()) {
                        case NONE -> true;
                        case NOT_DELETED_AFTER ->
                                i.deletedAt() == null || !i.deletedAt().isAfter(c.at());
                        case NOT_PUSHED_AFTER ->
                                i.lastPushedAt() == null || !i.lastPushedAt().isAfter(c.at());
                    };
            ImageRecord.Storage current = storage.get(key(c.repository(), c.digest()));
            if (!holds
                    || (c.storageClass() != null
                            && current != null
                            && current.at().isAfter(c.at()))) {
                throw new ConcurrentChangeException(
                        "image " + c.digest() + " changed while recording event " + a.eventId());
            }
        }
        for (StorageEvent e : write.storageHistory()) {
            if (storageHistory.getOrDefault(key(e.repository(), e.digest()), List.of()).stream()
                    .anyMatch(x -> x.eventId().equals(e.eventId()) && x.at().equals(e.at()))) {
                throw new ConcurrentChangeException(
                        "storage history entry of " + e.eventId() + " exists");
            }
        }
        markers.put(a.eventId(), Optional.ofNullable(write.alert()));
        write.heads().forEach(h -> heads.put(key(h.next().repository(), h.next().tag()), h.next()));
        write.history()
                .forEach(
                        e ->
                                history.computeIfAbsent(
                                                key(e.repository(), e.tag()),
                                                k -> new ArrayList<>())
                                        .add(e));
        write.images()
                .forEach(
                        c ->
                                images.put(
                                        key(c.repository(), c.digest()),
                                        change(
                                                images.getOrDefault(
                                                        key(c.repository(), c.digest()),
                                                        Image.empty()),
                                                c,
                                                a)));
        if (write.failure() != null) {
            failures.computeIfAbsent(write.failure().repository(), k -> new ArrayList<>())
                    .add(write.failure());
        }
        write.images().stream()
                .filter(c -> c.storageClass() != null)
                .forEach(
                        c ->
                                storage.put(
                                        key(c.repository(), c.digest()),
                                        new ImageRecord.Storage(c.storageClass(), c.at())));
        write.storageHistory()
                .forEach(
                        e ->
                                storageHistory
                                        .computeIfAbsent(
                                                key(e.repository(), e.digest()),
                                                k -> new ArrayList<>())
                                        .add(e));
    }

    private static Image change(Image i, LedgerWrite.ImageChange c, ImageAction a) {
        Set<String> tags = new TreeSet<>(i.tags());
        if (c.addTag() != null) {
            tags.add(c.addTag());
        }
        if (c.removeTag() != null) {
            tags.remove(c.removeTag());
        }
        boolean deleted = c.deleted() || (!c.pushed() && i.deleted());
        return new Image(
                c.pushed() && a.manifestMediaType() != null
                        ? a.manifestMediaType()
                        : i.manifestMediaType(),
                c.pushed() && a.artifactMediaType() != null
                        ? a.artifactMediaType()
                        : i.artifactMediaType(),
                c.pushed() && i.firstPushedAt() == null ? a.at() : i.firstPushedAt(),
                c.pushed() ? a.at() : i.lastPushedAt(),
                tags,
                deleted,
                c.deleted() ? a.at() : i.deletedAt(),
                i.indexDigest(),
                i.verification(),
                i.scanCounts(),
                i.scanFailed());
    }

    @Override
    public synchronized Optional<Alert> pendingAlert(String eventId) {
        return markers.getOrDefault(eventId, Optional.empty());
    }

    @Override
    public synchronized void alertDelivered(String eventId) {
        if (markers.containsKey(eventId)) {
            markers.put(eventId, Optional.empty());
        }
    }

    @Override
    public synchronized void recordVerification(
            String repository, String digest, ImageRecord.Verification v) {
        Image i = images.getOrDefault(key(repository, digest), Image.empty());
        images.put(
                key(repository, digest),
                new Image(
                        i.manifestMediaType(),
                        i.artifactMediaType(),
                        i.firstPushedAt(),
                        i.lastPushedAt(),
                        i.tags(),
                        i.deleted(),
                        i.deletedAt(),
                        i.indexDigest(),
                        v,
                        i.scanCounts(),
                        i.scanFailed()));
    }

    @Override
    public synchronized void recordScan(
            String repository,
            String digest,
            Map<String, Integer> counts,
            boolean failed,
            Instant at) {
        Image i = images.getOrDefault(key(repository, digest), Image.empty());
        images.put(
                key(repository, digest),
                new Image(
                        i.manifestMediaType(),
                        i.artifactMediaType(),
                        i.firstPushedAt(),
                        i.lastPushedAt(),
                        i.tags(),
                        i.deleted(),
                        i.deletedAt(),
                        i.indexDigest(),
                        i.verification(),
                        new TreeMap<>(counts),
                        failed));
    }

    @Override
    public synchronized void acceptScan(
            String repository,
            String digest,
            ImageRecord.ScanAcceptance acceptance,
            boolean failed) {
        Image i = images.getOrDefault(key(repository, digest), Image.empty());
        images.put(
                key(repository, digest),
                new Image(
                        i.manifestMediaType(),
                        i.artifactMediaType(),
                        i.firstPushedAt(),
                        i.lastPushedAt(),
                        i.tags(),
                        i.deleted(),
                        i.deletedAt(),
                        i.indexDigest(),
                        i.verification(),
                        i.scanCounts(),
                        failed));
        acceptances.put(key(repository, digest), acceptance);
    }

    @Override
    public synchronized void recordArchive(
            String repository, String digest, ImageRecord.Archive archive) {
        images.putIfAbsent(key(repository, digest), Image.empty());
        archives.put(key(repository, digest), archive);
    }

    @Override
    public synchronized void recordSignature(
            String repository, String digest, ImageRecord.Signature signature) {
        images.putIfAbsent(key(repository, digest), Image.empty());
        signatures.put(key(repository, digest), signature);
    }

    @Override
    public synchronized boolean markDone(String k) {
        return done.add(k);
    }

    @Override
    public synchronized boolean isDone(String k) {
        return done.contains(k);
    }

    @Override
    public synchronized void linkChildren(
            String repository, String indexDigest, List<String> childDigests) {
        for (String child : childDigests) {
            Image i = images.getOrDefault(key(repository, child), Image.empty());
            images.put(
                    key(repository, child),
                    new Image(
                            i.manifestMediaType(),
                            i.artifactMediaType(),
                            i.firstPushedAt(),
                            i.lastPushedAt(),
                            i.tags(),
                            i.deleted(),
                            i.deletedAt(),
                            indexDigest,
                            i.verification(),
                            i.scanCounts(),
                            i.scanFailed()));
        }
    }
}
