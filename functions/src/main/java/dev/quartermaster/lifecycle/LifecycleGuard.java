package dev.quartermaster.lifecycle;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.contract.LifecycleRules;
import dev.quartermaster.events.EcrPolicyExecution;
import dev.quartermaster.ledger.ImageRecord;
import dev.quartermaster.ledger.LedgerStore;
import dev.quartermaster.release.ReleaseService;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches what ECR's lifecycle policy did. An image it expired (or moved to archive storage, where
 * it cannot be pulled) that carried the release mark, runs on an app host, is a rollback target, or
 * was not archived complete alerts at once ({@code LIFECYCLE_LOSS}), naming the archive entry to
 * restore it from, or saying there is none.
 */
public final class LifecycleGuard {
    private final ReleaseService releases;
    private final LedgerStore ledger;
    private final Alerts alerts;

    public LifecycleGuard(ReleaseService releases, LedgerStore ledger, Alerts alerts) {
        this.releases = releases;
        this.ledger = ledger;
        this.alerts = alerts;
    }

    /** One image the policy acted on, and why that hurts (empty: it did not). */
    public record Loss(
            String digest, String action, int rulePriority, List<String> why, boolean archived) {}

    /**
     * Checks each image of the event; alerts once for the event when any loss is found. Returns the
     * losses.
     */
    public List<Loss> check(EcrPolicyExecution e) {
        Map<String, Instant> released = releases.releasedDigests();
        List<Loss> losses = new ArrayList<>();
        boolean managed =
                e.repository()
                        .equals(
                                releases.config()
                                        .repository()); // the releases' repository: its digests can
        // run
        for (EcrPolicyExecution.Acted a : e.images()) {
            List<String> why = new ArrayList<>();
            if (a.tags().stream().anyMatch(t -> t.startsWith(LifecycleRules.PROTECT_PREFIX))) {
                why.add(
                        "it carried the release mark (a rule outranked the protection rule, or the policy was replaced)");
            }
            if (managed && released.containsKey(a.digest()) && released.get(a.digest()) == null) {
                why.add("it runs on an app host or is a rollback target");
            }
            ImageRecord image = ledger.image(e.repository(), a.digest()).orElse(null);
            boolean archived =
                    image != null && image.archive() != null && image.archive().complete();
            if (!archived && a.expired()) {
                why.add("it was not archived complete: no copy is left");
            }
            if (!why.isEmpty()) {
                losses.add(
                        new Loss(
                                a.digest(),
                                a.action(),
                                a.rulePriority(),
                                List.copyOf(why),
                                archived));
            }
        }
        if (!losses.isEmpty()) {
            alerts.publish(alert(e, losses));
        }
        return losses;
    }

    static Alert alert(EcrPolicyExecution e, List<Loss> losses) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("repository", e.repository());
        attrs.put("event", e.eventId());
        attrs.put("digests", String.join(",", losses.stream().map(Loss::digest).toList()));
        StringBuilder m =
                new StringBuilder(
                        "ECR's lifecycle policy acted on "
                                + losses.size()
                                + " image(s) of "
                                + e.repository()
                                + " that Quartermaster says must stay (event "
                                + e.eventId()
                                + " at "
                                + e.at()
                                + "):\n");
        for (Loss l : losses) {
            String ref = e.repository() + "@" + l.digest();
            m.append("- ")
                    .append(ref)
                    .append(": ")
                    .append(
                            l.action().equals("expire")
                                    ? "EXPIRED"
                                    : "moved to archive storage (not pullable)")
                    .append(" by rule ")
                    .append(l.rulePriority())
                    .append(", and ")
                    .append(String.join("; ", l.why()))
                    .append(". ");
            if (l.action().equals("transition")) {
                m.append(
                                "Restore it to standard storage: aws ecr update-image-storage-class --repository-name ")
                        .append(e.repository())
                        .append(" --image-id imageDigest=")
                        .append(l.digest())
                        .append(" --target-storage-class STANDARD.\n");
            } else if (l.archived()) {
                m.append("Restore it from the archive: bin/qm archive restore ")
                        .append(ref)
                        .append(" --aws (the archive entry ")
                        .append(ref)
                        .append(").\n");
            } else {
                m.append(
                        "No archive entry holds it: the host's local copy (docker image ls) is the only one left.\n");
            }
        }
        m.append(
                "Then fix the lifecycle rules (bin/qm lifecycle preview shows what they would expire next).");
        Loss first = losses.get(0);
        String next =
                first.action().equals("transition")
                        ? "aws ecr update-image-storage-class --repository-name "
                                + e.repository()
                                + " --image-id imageDigest="
                                + first.digest()
                                + " --target-storage-class STANDARD"
                        : first.archived()
                                ? "bin/qm archive restore "
                                        + e.repository()
                                        + "@"
                                        + first.digest()
                                        + " --to <account>.dkr.ecr.<region>.amazonaws.com --aws"
                                : "bin/qm lifecycle preview " + e.repository() + " --aws";
        return new Alert(
                        "LIFECYCLE_LOSS",
                        "LIFECYCLE LOSS: "
                                + losses.size()
                                + " needed image(s) of "
                                + e.repository()
                                + " expired",
                        m.toString(),
                        attrs)
                .withNext(next);
    }
}
