package dev.quartermaster.archive;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.common.Text;
import dev.quartermaster.idempotency.IdempotencyStore;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.registry.RegistryException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * image-archive's domain: archives a pushed image once per event, and daily archives whatever the
 * managed repositories hold that the archive lacks (events are best effort). Each image's outcome
 * goes to the ledger ({@code archived}, bytes stored, bytes deduplicated); a failure alerts.
 */
public final class ArchiveService {
    /** Lambda's asynchronous invoke: the first delivery and two retries. */
    static final int ATTEMPTS = 3;

    private final ImageArchiver archiver;
    private final LedgerStore ledger;
    private final IdempotencyStore idempotency;
    private final Alerts alerts;
    private final Clock clock;

    public ArchiveService(
            ImageArchiver archiver,
            LedgerStore ledger,
            IdempotencyStore idempotency,
            Alerts alerts,
            Clock clock) {
        this.archiver = archiver;
        this.ledger = ledger;
        this.idempotency = idempotency;
        this.alerts = alerts;
        this.clock = clock;
    }

    public ArchiveLayout layout() {
        return archiver.layout();
    }

    /** The outcome of one image: archived (complete or not) or failed with a reason. */
    public record Outcome(
            String repository,
            String digest,
            String tag,
            ImageArchiver.Result result,
            String failure) {
        public boolean ok() {
            return failure == null && result.complete();
        }
    }

    /**
     * Archives a push once per event (a conditional claim before any byte moves). A failure the
     * next delivery may get past (the registry down, out of time: what was stored stays, so each
     * attempt goes further) is thrown for Lambda to retry; the last delivery, or a permanent
     * failure, is recorded and alerted.
     *
     * @return empty if the event was archived before, or is being archived right now
     */
    public Optional<Outcome> archivePush(
            String eventId, String repository, String digest, String tag, Instant deadline) {
        String key = "archive#" + eventId;
        Duration lock = Duration.between(clock.instant(), deadline).plusMinutes(1);
        IdempotencyStore.Claim claim =
                idempotency.begin(key, lock.isNegative() ? Duration.ofMinutes(1) : lock);
        if (claim.state() != IdempotencyStore.State.ACQUIRED) {
            return Optional.empty();
        }
        try {
            Outcome outcome;
            try {
                outcome = archive(repository, digest, tag, deadline);
            } catch (RuntimeException e) {
                boolean retryable = !(e instanceof RegistryException r) || r.isTransient();
                if (retryable && claim.failures() + 1 < ATTEMPTS) {
                    throw e;
                }
                outcome = failed(repository, digest, tag, e, claim.failures() + 1);
            }
            idempotency.complete(key, outcome.ok() ? "ARCHIVED" : "FAILED");
            return Optional.of(outcome);
        } catch (RuntimeException e) {
            idempotency.release(key);
            throw e;
        }
    }

    private Outcome archive(String repository, String digest, String tag, Instant deadline) {
        ImageArchiver.Result r =
                archiver.archive(repository, digest, tag, deadline, ImageArchiver.Progress.NONE);
        ledger.recordArchive(
                repository,
                r.digest(),
                new ImageRecord.Archive(
                        r.complete(), r.bytesStored(), r.bytesDeduplicated(), clock.instant()));
        Outcome o = new Outcome(repository, r.digest(), tag, r, null);
        if (!r.complete()) {
            alerts.publish(
                    alert(
                            o,
                            "some of its blobs went missing from the archive while it ran (a prune?) and could not be copied again"));
        }
        return o;
    }

    private Outcome failed(
            String repository, String digest, String tag, RuntimeException e, int attempts) {
        String reason =
                Text.oneLine(
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                        400);
        ledger.recordArchive(
                repository, digest, new ImageRecord.Archive(false, 0, 0, clock.instant()));
        Outcome o =
                new Outcome(repository, digest, tag, null, reason + " (attempt " + attempts + ")");
        alerts.publish(alert(o, reason));
        return o;
    }

    /** What the daily reconcile did. */
    public record Reconciled(int listed, int alreadyArchived, List<Outcome> archived) {
        public long failed() {
            return archived.stream().filter(o -> !o.ok()).count();
        }
    }

    /**
     * An image (under one of its tags, or untagged) the archive lacks or holds incomplete; {@code
     * size} as listed (0: unknown).
     */
    public record Wanted(String repository, String digest, String tag, long size) {
        public String name() {
            return repository + (tag == null ? "@" + digest : ":" + tag);
        }
    }

    /**
     * The reconcile's plan: images listed, those already archived, and what to archive, repository
     * by repository.
     */
    public record ReconcilePlan(int listed, int alreadyArchived, List<Wanted> wanted) {}

    /**
     * One batch of the reconcile: each image's outcome, images an earlier attempt (or an archiver)
     * archived meanwhile, images left for lack of time.
     */
    public record ReconcileBatch(List<Outcome> archived, int alreadyArchived, int unfinished) {}

    /**
     * Archives every image of the repositories that the archive's index lacks or holds incomplete.
     * Tagged images are archived under each of their tags. Stops starting new images when {@code
     * deadline} nears; the next run goes on. The same steps a reconcile run takes as a state
     * machine ({@link #reconcilePlan}, {@link #reconcileBatch}), here in one batch.
     */
    public Reconciled reconcile(ImageLister lister, List<String> repositories, Instant deadline) {
        ReconcilePlan plan = reconcilePlan(lister, repositories);
        ReconcileBatch batch = reconcileBatch(plan.wanted(), deadline);
        return new Reconciled(
                plan.listed(), plan.alreadyArchived() + batch.alreadyArchived(), batch.archived());
    }

    /**
     * Lists the repositories and compares them with the index: what the archive lacks, in listing
     * order.
     */
    public ReconcilePlan reconcilePlan(ImageLister lister, List<String> repositories) {
        ArchiveIndex index = archiver.layout().readIndex().index();
        Set<String> have = have(index);
        int listed = 0;
        int already = 0;
        List<Wanted> wanted = new ArrayList<>();
        for (String repository : repositories) {
            for (ImageLister.Listed img : lister.list(repository)) {
                listed++;
                List<String> names =
                        img.tags().isEmpty()
                                ? java.util.Collections.singletonList(null)
                                : img.tags();
                for (String tag : names) {
                    if (archived(index, have, repository, img.digest(), tag)) {
                        already++;
                    } else {
                        wanted.add(new Wanted(repository, img.digest(), tag, img.size()));
                    }
                }
            }
        }
        return new ReconcilePlan(listed, already, wanted);
    }

    /**
     * One batch of the reconcile: archives each image, unless the index (read again) says it is
     * archived by now, which makes a redriven batch skip what its first attempt did. Each image's
     * outcome goes to the ledger, a failure alerts.
     */
    public ReconcileBatch reconcileBatch(List<Wanted> wanted, Instant deadline) {
        ArchiveIndex index = archiver.layout().readIndex().index();
        Set<String> have = have(index);
        List<Outcome> done = new ArrayList<>();
        int already = 0;
        for (int i = 0; i < wanted.size(); i++) {
            Wanted w = wanted.get(i);
            if (archived(index, have, w.repository(), w.digest(), w.tag())) {
                already++;
                continue;
            }
            if (clock.instant().isAfter(deadline)) {
                return new ReconcileBatch(done, already, wanted.size() - i);
            }
            try {
                done.add(archive(w.repository(), w.digest(), w.tag(), deadline));
            } catch (RuntimeException e) {
                done.add(failed(w.repository(), w.digest(), w.tag(), e, 1));
            }
        }
        return new ReconcileBatch(done, already, 0);
    }

    private static Set<String> have(ArchiveIndex index) {
        Set<String> have = new HashSet<>();
        for (ArchiveIndex.Entry e : index.entries()) {
            if (e.complete()) {
                have.add(e.refName());
                have.add(e.repository() + "@" + e.digest());
            }
        }
        return have;
    }

    private static boolean archived(
            ArchiveIndex index, Set<String> have, String repository, String digest, String tag) {
        String ref = tag == null ? repository + "@" + digest : repository + ":" + tag;
        return tag == null
                ? have.contains(ref)
                : index.find(ref).map(e -> e.digest().equals(digest) && e.complete()).orElse(false);
    }

    static Alert alert(Outcome o, String reason) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("repository", o.repository());
        if (o.tag() != null) {
            attrs.put("tag", o.tag());
        }
        attrs.put("digest", o.digest());
        String name =
                o.repository()
                        + (o.tag() == null
                                ? "@" + o.digest().substring(0, Math.min(19, o.digest().length()))
                                : ":" + o.tag());
        return new Alert(
                        "ARCHIVE_FAILED",
                        "ARCHIVE FAILED: " + name,
                        "Image "
                                + name
                                + " ("
                                + o.digest()
                                + ") is not completely archived: "
                                + reason
                                + ". The daily reconcile tries again while the image is in the registry; bin/qm archive list shows the archive.",
                        attrs)
                .withNext("bin/qm archive list " + o.repository() + " --aws");
    }

    /** Where this service's alerts go (an upkeep run's fold alerts there too). */
    public Alerts alerts() {
        return alerts;
    }
}
