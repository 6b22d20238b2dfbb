package dev.quartermaster.lifecycle;

import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the lifecycle rules would do to a repository's images, with the lines that would hurt
 * flagged: an image the rules would expire that runs on a host, is a rollback target, is VERIFIED
 * and newer than the running release, or is not archived complete (expiring it loses the only
 * copy). The rules are evaluated here by ECR's documented semantics ({@link #preview}), or ECR's
 * own preview API answers ({@link #fromEcr}); the flags are the same.
 */
public final class LifecyclePreview {
    public enum Flag {
        RUNNING,
        ROLLBACK_TARGET,
        VERIFIED_NEWER_THAN_RELEASE,
        NOT_ARCHIVED
    }

    /** One image: what the rules do (the acting rule, or none), and what makes that dangerous. */
    public record Line(
            String digest,
            Set<String> tags,
            Instant pushedAt,
            String action,
            String rule,
            Set<Flag> flags) {
        /**
         * The rules would expire it (or move it to archive storage, where it cannot be pulled) and
         * a flag says it is needed.
         */
        public boolean hurts() {
            return ("EXPIRE".equals(action) || "TRANSITION".equals(action)) && !flags.isEmpty();
        }
    }

    /**
     * What the releases need: the digests running on the app hosts, their rollback targets, when
     * the running release was pushed.
     */
    public record Needs(Set<String> running, Set<String> rollbackTargets, Instant releasedAt) {}

    /**
     * Where an image is stored, as ECR's image details and UPDATE_STORAGE_CLASS events say: an
     * ARCHIVE image is seen only by rules selecting archive, and counted from {@code
     * transitionedAt}. An image not named is STANDARD.
     */
    public record Storage(LifecycleRules.StorageClass storageClass, Instant transitionedAt) {}

    /**
     * What ECR's preview API said it would do to one image: EXPIRE or TRANSITION, by the rule of
     * that priority.
     */
    public record EcrAction(String action, int rulePriority) {}

    private record Decision(String action, String rule) {}

    private LifecyclePreview() {}

    /**
     * @param running the digests running on the app hosts
     * @param rollbackTargets the digests a rollback would return to
     * @param releasedAt when the running release was pushed (null: nothing released)
     */
    public static List<Line> preview(
            LifecycleRules rules,
            List<ImageRecord> images,
            Set<String> running,
            Set<String> rollbackTargets,
            Instant releasedAt,
            Instant now) {
        return preview(
                rules, images, Map.of(), new Needs(running, rollbackTargets, releasedAt), now);
    }

    /**
     * Evaluates locally.
     *
     * @param marks the release marks the registry holds (digest → qm-release- tags): the ledger may
     *     not know them yet
     */
    public static List<Line> preview(
            LifecycleRules rules,
            List<ImageRecord> images,
            Map<String, Set<String>> marks,
            Needs needs,
            Instant now) {
        return preview(rules, images, marks, Map.of(), needs, now);
    }

    /**
     * Evaluates locally, storage classes included.
     *
     * @param storage digest → where ECR stores it (an image not named is standard)
     */
    public static List<Line> preview(
            LifecycleRules rules,
            List<ImageRecord> images,
            Map<String, Set<String>> marks,
            Map<String, Storage> storage,
            Needs needs,
            Instant now) {
        List<ImageRecord> live = live(images);
        List<LifecycleEvaluation.Image> evaluated = evaluated(live, marks, storage);
        Map<LifecycleEvaluation.Image, LifecycleEvaluation.Outcome> outcomes =
                LifecycleEvaluation.evaluate(rules, evaluated, now);
        List<Decision> decisions = new ArrayList<>();
        for (LifecycleEvaluation.Image image : evaluated) {
            LifecycleEvaluation.Outcome o = outcomes.get(image);
            decisions.add(
                    new Decision(
                            o.actingRule()
                                    .map(r -> r.action().name())
                                    .orElse(o.protectedByRelease() ? "PROTECTED" : "KEEP"),
                            o.actingRule()
                                    .or(o::claimedBy)
                                    .map(LifecycleRules.Rule::label)
                                    .orElse("no rule selects it")));
        }
        return lines(live, marks, decisions, needs);
    }

    /**
     * ECR's preview API's answer (digest → what it would do), flagged the same way; an image it
     * does not name is kept.
     */
    public static List<Line> fromEcr(
            LifecycleRules rules,
            List<ImageRecord> images,
            Map<String, Set<String>> marks,
            Map<String, EcrAction> ecr,
            Needs needs) {
        List<ImageRecord> live = live(images);
        List<Decision> decisions = new ArrayList<>();
        for (ImageRecord i : live) {
            EcrAction a = ecr.get(i.digest());
            boolean marked =
                    tags(i, marks).stream()
                            .anyMatch(t -> t.startsWith(LifecycleRules.PROTECT_PREFIX));
            if (a == null) {
                decisions.add(
                        new Decision(
                                marked ? "PROTECTED" : "KEEP",
                                "ECR's preview: no rule acts on it"));
            } else {
                String label =
                        rules.rules().stream()
                                .filter(r -> r.priority() == a.rulePriority())
                                .findFirst()
                                .map(LifecycleRules.Rule::label)
                                .orElse("rule " + a.rulePriority());
                decisions.add(new Decision(a.action(), label + " (ECR's preview)"));
            }
        }
        return lines(live, marks, decisions, needs);
    }

    /**
     * What the rules will not do that their author probably meant, on this repository's images: a
     * multi-prefix tagPrefixList (ECR selects images carrying every prefix), a rule that selects no
     * image; each with the fix.
     */
    public static List<String> findings(
            LifecycleRules rules,
            List<ImageRecord> images,
            Map<String, Set<String>> marks,
            Map<String, Storage> storage) {
        return LifecycleEvaluation.findings(rules, evaluated(live(images), marks, storage));
    }

    private static List<LifecycleEvaluation.Image> evaluated(
            List<ImageRecord> live, Map<String, Set<String>> marks, Map<String, Storage> storage) {
        return live.stream()
                .map(
                        i -> {
                            Storage s = storage.getOrDefault(i.digest(), recorded(i));
                            return new LifecycleEvaluation.Image(
                                    i.digest(),
                                    tags(i, marks),
                                    i.lastPushedAt(),
                                    null,
                                    s.storageClass(),
                                    s.transitionedAt());
                        })
                .toList();
    }

    /**
     * Where the ledger last heard ECR store the image (ECR's UPDATE_STORAGE_CLASS events); standard
     * when it never heard.
     */
    static Storage recorded(ImageRecord i) {
        if (i.storage() == null || i.storage().storageClass() == null) {
            return new Storage(LifecycleRules.StorageClass.STANDARD, null);
        }
        return switch (i.storage().storageClass()) {
            case ARCHIVE -> new Storage(LifecycleRules.StorageClass.ARCHIVE, i.storage().at());
            case STANDARD -> new Storage(LifecycleRules.StorageClass.STANDARD, null);
        };
    }

    private static List<ImageRecord> live(List<ImageRecord> images) {
        return images.stream().filter(i -> !i.deleted() && i.lastPushedAt() != null).toList();
    }

    private static Set<String> tags(ImageRecord i, Map<String, Set<String>> marks) {
        Set<String> t = new LinkedHashSet<>(i.tags());
        t.addAll(marks.getOrDefault(i.digest(), Set.of()));
        return t;
    }

    private static List<Line> lines(
            List<ImageRecord> live,
            Map<String, Set<String>> marks,
            List<Decision> decisions,
            Needs needs) {
        List<Line> out = new ArrayList<>();
        for (int n = 0; n < live.size(); n++) {
            ImageRecord i = live.get(n);
            Set<Flag> flags = EnumSet.noneOf(Flag.class);
            if (needs.running().contains(i.digest())) {
                flags.add(Flag.RUNNING);
            }
            if (needs.rollbackTargets().contains(i.digest())) {
                flags.add(Flag.ROLLBACK_TARGET);
            }
            if (i.verdict() == ImageVerdict.VERIFIED
                    && needs.releasedAt() != null
                    && i.lastPushedAt().isAfter(needs.releasedAt())) {
                flags.add(Flag.VERIFIED_NEWER_THAN_RELEASE);
            }
            if (i.archive() == null || !i.archive().complete()) {
                flags.add(Flag.NOT_ARCHIVED);
            }
            out.add(
                    new Line(
                            i.digest(),
                            tags(i, marks),
                            i.lastPushedAt(),
                            decisions.get(n).action(),
                            decisions.get(n).rule(),
                            flags));
        }
        out.sort(Comparator.comparing(Line::pushedAt).reversed());
        return out;
    }
}
