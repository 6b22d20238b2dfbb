package dev.quartermaster.lifecycle;

import dev.quartermaster.common.Platform;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryRoot;
import dev.quartermaster.release.ReleaseRoot;

/**
 * The lifecycle feature's composition root: what lifecycle-guard, bin/qm lifecycle and bin/qm
 * status are built from. The guard asks the release switch what runs (the one arrow between
 * features: lifecycle protects what releases need).
 */
public final class LifecycleRoot {
    private LifecycleRoot() {}

    /** The guard: the releases' needs, the ledger's archive entries, the platform's alerts. */
    public static LifecycleGuard guard(Platform p) {
        return new LifecycleGuard(ReleaseRoot.service(p), LedgerRoot.store(p), p.alerts());
    }

    /** What the lifecycle guard heard, per repository (the ledger table). */
    public static LifecycleHearing hearing(Platform p) {
        return new DynamoDbLifecycleHearing(p.dynamoDb(), p.table());
    }

    /** When each repository's lifecycle policy last ran: ECR's GetLifecyclePolicy. */
    public static LifecycleHearing.PolicyRuns policyRuns(Platform p) {
        return new EcrLifecyclePolicyRuns(Platform.memo(() -> RegistryRoot.ecr(p)));
    }
}
