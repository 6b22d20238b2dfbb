package dev.quartermaster.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the lifecycle guard has heard: per repository, the time of the newest lifecycle event it
 * received. ECR's lifecycle runs reach the guard only through CloudTrail (EventBridge delivers
 * {@code AWS Service Event via CloudTrail} only where a trail with logging is enabled), so a
 * repository whose policy ran while the guard never heard of it points at a missing trail.
 * DynamoDB: the ledger table; an in-memory twin for unit tests.
 */
public interface LifecycleHearing {
    /**
     * Records a lifecycle event of {@code repository} at {@code at}; an older time than the one
     * recorded changes nothing.
     */
    void heard(String repository, Instant at);

    /** When the guard last received a lifecycle event of {@code repository}, or null: never. */
    Instant lastHeard(String repository);

    /**
     * Each repository's newest lifecycle-policy run (ECR's {@code lastEvaluatedAt}), or null when
     * it has none or it never ran.
     */
    interface PolicyRuns {
        Instant lastRun(String repository);
    }

    /** One repository as bin/qm status shows it. {@code deafness} is null when nothing is wrong. */
    record Coverage(String repository, Instant lastRun, Instant lastHeard, String deafness) {
        public String summary() {
            return (lastHeard == null ? "never heard" : "last heard " + lastHeard)
                    + (lastRun == null ? "" : ", policy last ran " + lastRun);
        }
    }

    /**
     * Runs newer than this are not judged yet: CloudTrail delivers an event within minutes, not at
     * once.
     */
    Duration DELIVERY_GRACE = Duration.ofHours(1);

    /**
     * Decides, per repository, whether the guard is deaf: its policy ran (longer ago than {@link
     * #DELIVERY_GRACE}), the guard never heard a lifecycle event of it, and images of it were
     * deleted (as expiring ones are) — a policy that never expired anything sends no event, so
     * without deletions silence proves nothing.
     *
     * @param deleted repositories with at least one image recorded deleted in the ledger
     */
    static List<Coverage> coverage(
            Map<String, Instant> runs,
            Map<String, Instant> heard,
            java.util.Set<String> deleted,
            Instant now) {
        List<Coverage> out = new ArrayList<>();
        for (String repo : new java.util.TreeSet<>(runs.keySet())) {
            Instant run = runs.get(repo);
            Instant last = heard.get(repo);
            String deaf = null;
            if (run != null
                    && last == null
                    && run.isBefore(now.minus(DELIVERY_GRACE))
                    && deleted.contains(repo)) {
                deaf =
                        "the lifecycle policy of "
                                + repo
                                + " ran (last at "
                                + run
                                + ") and images of it were deleted, but the lifecycle"
                                + " guard never received a lifecycle event of it: EventBridge delivers ECR's lifecycle events only where a CloudTrail"
                                + " trail with logging is enabled in this account and region (aws cloudtrail describe-trails); deploy with"
                                + " -c cloudTrail=create, or enable a trail. (Images deleted by hand, not by the policy, also show here.)";
            }
            out.add(new Coverage(repo, run, last, deaf));
        }
        return out;
    }
}
