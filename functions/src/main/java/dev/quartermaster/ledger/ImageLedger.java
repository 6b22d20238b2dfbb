package dev.quartermaster.ledger;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records ECR image actions exactly once: decides what an action changes (pure {@link #plan}), then
 * applies it atomically; a head that moved underneath is re-read and the plan made again. A tag
 * that now points to another digest is a tag move: recorded with the previous digest, and alerted
 * at least once (the alert is kept with the event marker until it is delivered). An archive or
 * restore (UPDATE_STORAGE_CLASS) sets the digest's current storage class unless a later one is
 * recorded, and adds to its storage history either way.
 */
public final class ImageLedger {
    private static final int MAX_ATTEMPTS = 16;

    private final LedgerStore store;
    private final Alerts alerts;

    public ImageLedger(LedgerStore store, Alerts alerts) {
        this.store = store;
        this.alerts = alerts;
    }

    /**
     * The result of recording one action; {@code tagEvent}, {@code storageEvent} and {@code alert}
     * are null when there is none.
     */
    public record Result(
            boolean duplicate, TagEvent tagEvent, Alert alert, StorageEvent storageEvent) {
        public Result(boolean duplicate, TagEvent tagEvent, Alert alert) {
            this(duplicate, tagEvent, alert, null);
        }

        public boolean tagMoved() {
            return tagEvent != null && tagEvent.moved();
        }
    }

    public Result record(ImageAction action) {
        for (int attempt = 1; ; attempt++) {
            Optional<ImageRecord> image =
                    action.success()
                            ? store.image(action.repository(), action.digest())
                            : Optional.empty();
            LedgerWrite write =
                    plan(
                            action,
                            action.tagOpt()
                                    .flatMap(t -> store.head(action.repository(), t))
                                    .orElse(null),
                            action.kind() == ImageAction.Kind.DELETE
                                            && action.tagOpt().isEmpty()
                                            && action.success()
                                    ? headsPointingAt(action, image)
                                    : List.of(),
                            image.orElse(null));
            try {
                store.apply(write);
            } catch (LedgerStore.DuplicateEventException e) {
                Optional<Alert> pending = store.pendingAlert(action.eventId());
                pending.ifPresent(a -> deliver(action.eventId(), a));
                return new Result(true, null, pending.orElse(null));
            } catch (LedgerStore.ConcurrentChangeException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                backoff(attempt);
                continue;
            }
            if (write.alert() != null) {
                deliver(action.eventId(), write.alert());
            }
            return new Result(
                    false,
                    write.history().stream().findFirst().orElse(null),
                    write.alert(),
                    write.storageHistory().stream().findFirst().orElse(null));
        }
    }

    private static void backoff(int attempt) {
        try {
            Thread.sleep(
                    java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 20L * attempt));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a ledger write", ie);
        }
    }

    private void deliver(String eventId, Alert alert) {
        alerts.publish(alert);
        store.alertDelivered(eventId);
    }

    private List<TagHead> headsPointingAt(ImageAction action, Optional<ImageRecord> image) {
        List<TagHead> heads = new ArrayList<>();
        image.ifPresent(
                img ->
                        img.tags()
                                .forEach(
                                        t ->
                                                store.head(action.repository(), t)
                                                        .filter(
                                                                h ->
                                                                        action.digest()
                                                                                .equals(h.digest()))
                                                        .ifPresent(heads::add)));
        return heads;
    }

    /**
     * What {@code action} changes, given the tag's current head (for a tagged action) or the heads
     * that point at the digest (for a digest delete). Pure: no I/O.
     */
    static LedgerWrite plan(ImageAction a, TagHead head, List<TagHead> headsOfDigest) {
        return plan(a, head, headsOfDigest, null);
    }

    /**
     * @param head the tag's head as read before planning (null: none, or not a tagged action)
     * @param image the digest's image item as read before planning, for its delete and push times
     *     (null: none)
     */
    static LedgerWrite plan(
            ImageAction a,
            TagHead headOrNull,
            List<TagHead> headsOfDigest,
            ImageRecord imageOrNull) {
        Optional<TagHead> head = Optional.ofNullable(headOrNull);
        Optional<ImageRecord> image = Optional.ofNullable(imageOrNull);
        if (!a.success()) {
            FailedAction f =
                    new FailedAction(
                            a.repository(), a.at(), a.kind(), a.tag(), a.digest(), a.eventId());
            return new LedgerWrite(a, List.of(), List.of(), List.of(), f, null);
        }
        if (a.kind() == ImageAction.Kind.UPDATE_STORAGE_CLASS) {
            return planStorageClass(a, image);
        }
        if (a.kind() == ImageAction.Kind.PUSH) {
            boolean deletedAfter =
                    image.filter(ImageRecord::deleted)
                            .map(ImageRecord::deletedAt)
                            .filter(d -> d.isAfter(a.at()))
                            .isPresent();
            return deletedAfter
                    ? planLatePushOfDeletedImage(a)
                    : restoredByPush(planPush(a, head), image);
        }
        boolean pushedAfter =
                a.tagOpt().isEmpty()
                        && image.map(ImageRecord::lastPushedAt)
                                .filter(p -> p.isAfter(a.at()))
                                .isPresent();
        return pushedAfter ? planLateDigestDelete(a) : planDelete(a, head, headsOfDigest);
    }

    /**
     * ECR archived or restored the digest. The event's time orders it: one older than the class
     * already recorded (EventBridge does not keep order) goes to the history only, marked out of
     * order, and the current class stays.
     */
    private static LedgerWrite planStorageClass(ImageAction a, Optional<ImageRecord> image) {
        boolean late =
                image.map(ImageRecord::storage)
                        .map(ImageRecord.Storage::at)
                        .filter(t -> t.isAfter(a.at()))
                        .isPresent();
        StorageEvent ev =
                new StorageEvent(
                        a.repository(),
                        a.digest(),
                        a.at(),
                        a.targetStorageClass(),
                        a.kind(),
                        late,
                        a.eventId());
        List<LedgerWrite.ImageChange> images =
                late
                        ? List.of()
                        : List.of(
                                new LedgerWrite.ImageChange(
                                        a.repository(),
                                        a.digest(),
                                        null,
                                        null,
                                        false,
                                        false,
                                        LedgerWrite.Guard.NONE,
                                        a.at(),
                                        a.targetStorageClass()));
        return new LedgerWrite(a, List.of(), List.of(), images, null, null, List.of(ev));
    }

    /**
     * A push of a digest the ledger holds as archived, made after it was archived, restores it (ECR
     * user guide, "Archiving an image": restored "by re-pushing the image"): STANDARD as of the
     * push, and a history entry.
     */
    private static LedgerWrite restoredByPush(LedgerWrite push, Optional<ImageRecord> image) {
        ImageAction a = push.action();
        boolean restores =
                image.filter(ImageRecord::archivedInEcr)
                        .map(ImageRecord::storage)
                        .filter(st -> a.at().isAfter(st.at()))
                        .isPresent();
        if (!restores) {
            return push;
        }
        List<LedgerWrite.ImageChange> images =
                push.images().stream()
                        .map(
                                c ->
                                        c.digest().equals(a.digest()) && c.pushed()
                                                ? c.withStorageClass(StorageClass.STANDARD, a.at())
                                                : c)
                        .toList();
        StorageEvent ev =
                new StorageEvent(
                        a.repository(),
                        a.digest(),
                        a.at(),
                        StorageClass.STANDARD,
                        a.kind(),
                        false,
                        a.eventId());
        return new LedgerWrite(
                a, push.heads(), push.history(), images, push.failure(), push.alert(), List.of(ev));
    }

    /**
     * A push that happened before the digest's (already recorded) delete: history only, the image
     * stays deleted.
     */
    private static LedgerWrite planLatePushOfDeletedImage(ImageAction a) {
        List<TagEvent> history =
                a.tagOpt()
                        .map(
                                t ->
                                        List.of(
                                                new TagEvent(
                                                        a.repository(),
                                                        t,
                                                        a.at(),
                                                        a.kind(),
                                                        a.digest(),
                                                        null,
                                                        false,
                                                        true,
                                                        a.eventId())))
                        .orElse(List.of());
        return new LedgerWrite(a, List.of(), history, List.of(), null, null);
    }

    /**
     * A digest delete older than the digest's last recorded push (it was pushed again since):
     * nothing to delete now.
     */
    private static LedgerWrite planLateDigestDelete(ImageAction a) {
        return new LedgerWrite(a, List.of(), List.of(), List.of(), null, null);
    }

    private static LedgerWrite planPush(ImageAction a, Optional<TagHead> head) {
        Optional<String> tag = a.tagOpt();
        if (tag.isEmpty()) {
            // digest-only push: a multi-arch child manifest, or an untagged artifact
            var image =
                    new LedgerWrite.ImageChange(
                            a.repository(),
                            a.digest(),
                            null,
                            null,
                            true,
                            false,
                            LedgerWrite.Guard.NOT_DELETED_AFTER,
                            a.at());
            return new LedgerWrite(a, List.of(), List.of(), List.of(image), null, null);
        }
        boolean stale = head.isPresent() && a.at().isBefore(head.get().at());
        List<LedgerWrite.ImageChange> images = new ArrayList<>();
        images.add(
                new LedgerWrite.ImageChange(
                        a.repository(),
                        a.digest(),
                        stale ? null : tag.get(),
                        null,
                        true,
                        false,
                        LedgerWrite.Guard.NOT_DELETED_AFTER,
                        a.at()));
        if (stale) {
            // an older event arriving late: history keeps it, the head stays with the newer push
            TagEvent ev =
                    new TagEvent(
                            a.repository(),
                            tag.get(),
                            a.at(),
                            a.kind(),
                            a.digest(),
                            null,
                            false,
                            true,
                            a.eventId());
            return new LedgerWrite(a, List.of(), List.of(ev), images, null, null);
        }
        boolean wasDeleted = head.isPresent() && head.get().digest() == null;
        String previous = head.map(h -> wasDeleted ? h.lastDigest() : h.digest()).orElse(null);
        boolean moved = previous != null && !previous.equals(a.digest());
        if (moved && !wasDeleted) {
            images.add(
                    new LedgerWrite.ImageChange(
                            a.repository(), previous, null, tag.get(), false, false));
        }
        TagHead next =
                new TagHead(
                        a.repository(),
                        tag.get(),
                        a.digest(),
                        a.digest(),
                        a.at(),
                        head.map(h -> h.version() + 1).orElse(1L),
                        a.eventId());
        TagEvent ev =
                new TagEvent(
                        a.repository(),
                        tag.get(),
                        a.at(),
                        a.kind(),
                        a.digest(),
                        previous,
                        moved,
                        false,
                        a.eventId());
        Alert alert = moved ? tagMovedAlert(a, previous, wasDeleted) : null;
        return new LedgerWrite(
                a,
                List.of(new LedgerWrite.HeadChange(head.orElse(null), next)),
                List.of(ev),
                images,
                null,
                alert);
    }

    private static LedgerWrite planDelete(
            ImageAction a, Optional<TagHead> head, List<TagHead> headsOfDigest) {
        List<LedgerWrite.HeadChange> heads = new ArrayList<>();
        List<TagEvent> history = new ArrayList<>();
        List<LedgerWrite.ImageChange> images = new ArrayList<>();
        Optional<String> tag = a.tagOpt();
        if (tag.isPresent()
                && head.map(TagHead::digest).filter(d -> !d.equals(a.digest())).isPresent()) {
            // the tag already points elsewhere: a late delete of an older digest; history only
            history.add(
                    new TagEvent(
                            a.repository(),
                            tag.get(),
                            a.at(),
                            a.kind(),
                            a.digest(),
                            a.digest(),
                            false,
                            true,
                            a.eventId()));
            images.add(
                    new LedgerWrite.ImageChange(
                            a.repository(), a.digest(), null, tag.get(), false, false));
        } else if (tag.isPresent()) {
            // untagging: the digest stays, the tag goes
            String previous = head.map(TagHead::digest).orElse(a.digest());
            heads.add(
                    new LedgerWrite.HeadChange(
                            head.orElse(null),
                            new TagHead(
                                    a.repository(),
                                    tag.get(),
                                    null,
                                    previous,
                                    a.at(),
                                    head.map(h -> h.version() + 1).orElse(1L),
                                    a.eventId())));
            history.add(
                    new TagEvent(
                            a.repository(),
                            tag.get(),
                            a.at(),
                            a.kind(),
                            a.digest(),
                            previous,
                            false,
                            false,
                            a.eventId()));
            images.add(
                    new LedgerWrite.ImageChange(
                            a.repository(), a.digest(), null, tag.get(), false, false));
        } else {
            // the digest itself is gone, and with it every tag that pointed at it
            for (TagHead h : headsOfDigest) {
                heads.add(
                        new LedgerWrite.HeadChange(
                                h,
                                new TagHead(
                                        a.repository(),
                                        h.tag(),
                                        null,
                                        a.digest(),
                                        a.at(),
                                        h.version() + 1,
                                        a.eventId())));
                history.add(
                        new TagEvent(
                                a.repository(),
                                h.tag(),
                                a.at(),
                                a.kind(),
                                a.digest(),
                                a.digest(),
                                false,
                                false,
                                a.eventId()));
            }
            images.add(
                    new LedgerWrite.ImageChange(
                            a.repository(),
                            a.digest(),
                            null,
                            null,
                            false,
                            true,
                            LedgerWrite.Guard.NOT_PUSHED_AFTER,
                            a.at()));
        }
        return new LedgerWrite(a, heads, history, images, null, null);
    }

    private static Alert tagMovedAlert(ImageAction a, String previous, boolean afterDelete) {
        String subject = "Tag moved: " + a.repository() + ":" + a.tag();
        String message =
                "Tag "
                        + a.repository()
                        + ":"
                        + a.tag()
                        + " now points to "
                        + a.digest()
                        + " (was "
                        + previous
                        + (afterDelete ? ", deleted and pushed again" : "")
                        + ") as of "
                        + a.at()
                        + ". If tags are meant to be immutable, "
                        + "check who pushed it; the ledger keeps the full history (bin/qm ledger "
                        + a.repository()
                        + ":"
                        + a.tag()
                        + ").";
        return new Alert(
                        "TAG_MOVED",
                        subject,
                        message,
                        Map.of(
                                "repository",
                                a.repository(),
                                "tag",
                                a.tag(),
                                "digest",
                                a.digest(),
                                "previousDigest",
                                previous))
                .withNext("bin/qm ledger " + a.repository() + ":" + a.tag() + " --aws");
    }
}
