package dev.quartermaster.lifecycle;

import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.ImageVerdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the lifecycle rules would do to a repository's images, with the lines that would hurt flagged: an image the
 * rules would expire that runs on a host, is a rollback target, is VERIFIED and newer than the running release,
 * or is not archived complete (expiring it loses the only copy).
 */
public final class LifecyclePreview {
    public enum Flag { RUNNING, ROLLBACK_TARGET, VERIFIED_NEWER_THAN_RELEASE, NOT_ARCHIVED }

    /** One image: what the rules do (the acting rule, or none), and what makes that dangerous. */
    public record Line(String digest, Set<String> tags, Instant pushedAt, String action, String rule, Set<Flag> flags) {
        /** The rules would expire it and a flag says it is needed. */
        public boolean hurts() {
            return "EXPIRE".equals(action) && !flags.isEmpty();
        }
    }

    private LifecyclePreview() {
    }

    /**
     * @param running          the digests running on the app hosts
     * @param rollbackTargets  the digests a rollback would return to
     * @param releasedAt       when the running release was pushed (null: nothing released)
     */
    public static List<Line> preview(LifecycleRules rules, List<ImageRecord> images, Set<String> running, Set<String> rollbackTargets,
                                     Instant releasedAt, Instant now) {
        List<ImageRecord> live = images.stream().filter(i -> !i.deleted() && i.lastPushedAt() != null).toList();
        List<LifecycleRules.Image> evaluated = live.stream()
                .map(i -> new LifecycleRules.Image(i.digest(), i.tags(), i.lastPushedAt(), null)).toList();
        Map<LifecycleRules.Image, LifecycleRules.Outcome> outcomes = rules.evaluate(evaluated, now);
        List<Line> out = new ArrayList<>();
        for (int n = 0; n < live.size(); n++) {
            ImageRecord i = live.get(n);
            LifecycleRules.Outcome o = outcomes.get(evaluated.get(n));
            Set<Flag> flags = EnumSet.noneOf(Flag.class);
            if (running.contains(i.digest())) {
                flags.add(Flag.RUNNING);
            }
            if (rollbackTargets.contains(i.digest())) {
                flags.add(Flag.ROLLBACK_TARGET);
            }
            if (i.verdict() == ImageVerdict.VERIFIED && releasedAt != null && i.lastPushedAt().isAfter(releasedAt)) {
                flags.add(Flag.VERIFIED_NEWER_THAN_RELEASE);
            }
            if (i.archive() == null || !i.archive().complete()) {
                flags.add(Flag.NOT_ARCHIVED);
            }
            String action = o.actingRule().map(r -> r.action().name()).orElse(o.protectedByRelease() ? "PROTECTED" : "KEEP");
            String rule = o.actingRule().or(o::claimedBy).map(LifecycleRules.Rule::label).orElse("no rule selects it");
            out.add(new Line(i.digest(), i.tags(), i.lastPushedAt(), action, rule, flags));
        }
        out.sort(Comparator.comparing(Line::pushedAt).reversed());
        return out;
    }
}
