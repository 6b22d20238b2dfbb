package dev.quartermaster.lifecycle;

import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.contract.LifecycleRules.Action;
import dev.quartermaster.contract.LifecycleRules.Rule;
import dev.quartermaster.contract.LifecycleRules.StorageClass;
import dev.quartermaster.contract.LifecycleRules.TagStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What lifecycle rules do to images, by ECR's documented semantics (bin/qm lifecycle preview
 * evaluates locally what ECR's preview API answers in AWS):
 *
 * <ul>
 *   <li>rules apply by priority, lowest first; a rule selects images of one storage class ({@code
 *       standard} unless it says {@code storageClass: archive}) by tag status and tag prefixes or
 *       patterns (several: an image must match every one, each by some tag of it): an archived
 *       image is seen only by rules selecting archive;
 *   <li>an image that matches the tagging requirements of a rule cannot be expired (or archived) by
 *       a rule of lower priority, whether or not that rule acts on it; a rule still counts images
 *       higher rules matched;
 *   <li>{@code imageCountMoreThan}: the selected images newest pushed first, those past the count;
 *       {@code sinceImagePushed}/{@code sinceImagePulled}: pushed (last pulled, else pushed) more
 *       than N days ago; {@code sinceImageTransitioned}: archived more than N days ago;
 *   <li>{@code expire} deletes; {@code transition} moves a standard image to archive storage (it
 *       cannot be pulled there).
 * </ul>
 *
 * The rules themselves (their shape, validation and policy text) are the contract's {@link
 * LifecycleRules}.
 */
public final class LifecycleEvaluation {
    private LifecycleEvaluation() {}

    /**
     * An image as the evaluation sees it. {@code lastPulledAt} may be null (never pulled); {@code
     * transitionedAt} is when it was archived (null unless {@code storageClass} is ARCHIVE).
     */
    public record Image(
            String digest,
            Set<String> tags,
            Instant pushedAt,
            Instant lastPulledAt,
            StorageClass storageClass,
            Instant transitionedAt) {
        public Image {
            tags = Set.copyOf(tags);
            storageClass = storageClass == null ? StorageClass.STANDARD : storageClass;
        }

        /** A standard (pullable) image. */
        public Image(String digest, Set<String> tags, Instant pushedAt, Instant lastPulledAt) {
            this(digest, tags, pushedAt, lastPulledAt, StorageClass.STANDARD, null);
        }
    }

    /**
     * What the rules do to one image: the rule that acts on it (expire or transition), or none
     * (kept); the rule that claimed it.
     */
    public record Outcome(Image image, Optional<Rule> actingRule, Optional<Rule> claimedBy) {
        public boolean expired() {
            return actingRule.map(r -> r.action() == Action.EXPIRE).orElse(false);
        }

        public boolean transitioned() {
            return actingRule.map(r -> r.action() == Action.TRANSITION).orElse(false);
        }

        public boolean protectedByRelease() {
            return claimedBy.map(Rule::protection).orElse(false);
        }
    }

    /**
     * What the rules do not do that their author probably meant, with the fix: a {@code
     * tagPrefixList} of several prefixes (ECR selects only images carrying a tag for every one of
     * them, not any), and a rule that selects no image of {@code images} (its storage class and
     * tags match none). The protection rule is never flagged.
     */
    public static List<String> findings(LifecycleRules rules, List<Image> images) {
        List<String> out = new ArrayList<>();
        for (Rule r : rules.rules()) {
            if (r.protection()) {
                continue;
            }
            if (r.prefixes().size() > 1) {
                out.add(
                        r.label()
                                + ": tagPrefixList "
                                + r.prefixes()
                                + " selects only images that carry a tag for EVERY listed prefix (ECR's"
                                + " rule), not any of them; for any of them write one rule per prefix, or one rule per tagPatternList pattern (e.g. \""
                                + r.prefixes().get(0)
                                + "*\")");
            }
            if (!images.isEmpty()
                    && images.stream()
                            .noneMatch(
                                    i ->
                                            i.storageClass() == r.storageClass()
                                                    && r.selects(i.tags()))) {
                out.add(
                        r.label()
                                + " selects no image of this repository ("
                                + images.size()
                                + " images; it looks at "
                                + r.storageClass().name().toLowerCase(Locale.ROOT)
                                + " images"
                                + (r.tagStatus() == TagStatus.TAGGED
                                        ? " tagged "
                                                + (r.prefixes().isEmpty()
                                                        ? "like " + r.patterns()
                                                        : "with prefixes " + r.prefixes())
                                        : " " + r.tagStatus().name().toLowerCase(Locale.ROOT))
                                + "): check its prefixes or patterns against the tags you push");
            }
        }
        return out;
    }

    /**
     * What {@code rules} do to {@code images} at {@code now}, by ECR's semantics (see the class
     * comment).
     */
    public static Map<Image, Outcome> evaluate(
            LifecycleRules rules, List<Image> images, Instant now) {
        Map<Image, Rule> claimed = new LinkedHashMap<>();
        Map<Image, Rule> acting = new LinkedHashMap<>();
        for (Rule rule : rules.rules()) {
            List<Image> selected =
                    images.stream()
                            .filter(
                                    i ->
                                            i.storageClass() == rule.storageClass()
                                                    && rule.selects(i.tags()))
                            .sorted(
                                    Comparator.comparing(Image::pushedAt)
                                            .reversed()
                                            .thenComparing(Image::digest))
                            .toList();
            for (int n = 0; n < selected.size(); n++) {
                Image i = selected.get(n);
                boolean due =
                        switch (rule.countType()) {
                            case IMAGE_COUNT_MORE_THAN -> n >= rule.countNumber();
                            case SINCE_IMAGE_PUSHED ->
                                    i.pushedAt()
                                            .isBefore(
                                                    now.minus(Duration.ofDays(rule.countNumber())));
                            case SINCE_IMAGE_PULLED ->
                                    (i.lastPulledAt() == null ? i.pushedAt() : i.lastPulledAt())
                                            .isBefore(
                                                    now.minus(Duration.ofDays(rule.countNumber())));
                            case SINCE_IMAGE_TRANSITIONED ->
                                    i.transitionedAt() != null
                                            && i.transitionedAt()
                                                    .isBefore(
                                                            now.minus(
                                                                    Duration.ofDays(
                                                                            rule.countNumber())));
                        };
                if (!claimed.containsKey(i)) {
                    claimed.put(i, rule);
                    if (due) {
                        acting.put(i, rule);
                    }
                }
            }
        }
        Map<Image, Outcome> out = new LinkedHashMap<>();
        for (Image i : images) {
            out.put(
                    i,
                    new Outcome(
                            i,
                            Optional.ofNullable(acting.get(i)),
                            Optional.ofNullable(claimed.get(i))));
        }
        return out;
    }
}
