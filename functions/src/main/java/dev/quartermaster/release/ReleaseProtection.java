package dev.quartermaster.release;

import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.registry.ImageTags;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What keeps lifecycle rules off the digests a release needs. The release switch tags each digest
 * it releases, and the rollback target, {@code qm-release-<hex of the digest>} before anything is
 * sent; the stack's lifecycle rule 1 selects that prefix and expires nothing, and by ECR's
 * documented semantics an image matching a higher-priority rule's tagging requirements cannot be
 * expired by a lower one. The tag names its digest, so it is unique and never moves (immutable
 * repositories accept it). A marked digest that is neither running nor a rollback target, for
 * longer than the grace period, loses its mark on the next {@link #sweep}: the repository's own
 * rules apply to it again.
 */
public final class ReleaseProtection {
    private final ImageTags tags;
    private final Duration grace;
    private final Clock clock;

    public ReleaseProtection(ImageTags tags, Duration grace, Clock clock) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException(
                    "the protection grace period cannot be negative: " + grace);
        }
        this.tags = tags;
        this.grace = grace;
        this.clock = clock;
    }

    /**
     * The protecting tag of a digest: the prefix and the digest's hex (75 characters, within ECR's
     * 128).
     */
    public static String tagFor(String digest) {
        return LifecycleRules.markFor(digest);
    }

    /** Marks the digest protected (idempotent). */
    public void protect(String repository, String digest) {
        tags.add(repository, digest, tagFor(digest));
    }

    /** The marks the registry holds: digest → its qm-release- tags. */
    public Map<String, Set<String>> marked(String repository) {
        return tags.tagged(repository, LifecycleRules.PROTECT_PREFIX);
    }

    /** What a sweep did with each marked digest. */
    public record Sweep(
            List<String> kept,
            List<String> released,
            Map<String, String> stays,
            Map<String, String> failed) {
        public Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("protected", kept.size());
            d.put("released", released);
            if (!stays.isEmpty()) {
                d.put("stays", stays);
            }
            if (!failed.isEmpty()) {
                d.put("failed", failed);
            }
            return d;
        }
    }

    /**
     * Takes the mark off each marked digest the releases no longer need, once the grace period has
     * passed since they stopped needing it. A marked digest no release history names is kept
     * (someone put the mark there on purpose, or the history predates it): the preview shows it
     * protected.
     *
     * @param released each digest the release history names → when it stopped being needed (null:
     *     needed now)
     */
    public Sweep sweep(String repository, Map<String, Instant> released) {
        Instant now = clock.instant();
        List<String> kept = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        Map<String, String> stays = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Set<String>> marked :
                tags.tagged(repository, LifecycleRules.PROTECT_PREFIX).entrySet()) {
            String digest = marked.getKey();
            Instant stoppedAt = released.get(digest);
            if (!released.containsKey(digest)
                    || stoppedAt == null
                    || stoppedAt.plus(grace).isAfter(now)) {
                kept.add(digest);
                continue;
            }
            try {
                for (String tag : marked.getValue()) {
                    switch (tags.remove(repository, digest, tag)) {
                        case REMOVED, ABSENT -> {}
                        case ONLY_TAG ->
                                stays.put(
                                        digest,
                                        tag
                                                + " is its only tag: removing it would delete the image");
                        case UNSUPPORTED ->
                                stays.put(
                                        digest,
                                        "this registry cannot remove a tag without deleting the image");
                    }
                }
                if (!stays.containsKey(digest)) {
                    gone.add(digest);
                }
            } catch (RuntimeException e) {
                failed.put(
                        digest,
                        dev.quartermaster.common.Text.oneLine(String.valueOf(e.getMessage()), 400));
            }
        }
        return new Sweep(kept, gone, stays, failed);
    }
}
