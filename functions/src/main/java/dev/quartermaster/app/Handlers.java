package dev.quartermaster.app;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.quartermaster.archive.ArchiveHandler;
import dev.quartermaster.archive.ArchivePruneHandler;
import dev.quartermaster.archive.ArchiveRoot;
import dev.quartermaster.archive.ArchiveScrubHandler;
import dev.quartermaster.backup.BackupRoot;
import dev.quartermaster.backup.BackupStartHandler;
import dev.quartermaster.backup.BackupStatusHandler;
import dev.quartermaster.backup.BackupWatchdogHandler;
import dev.quartermaster.backup.RestoreDrillHandler;
import dev.quartermaster.common.EventFunction;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.ledger.ImageActionHandler;
import dev.quartermaster.ledger.ImageLedger;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.release.ReleaseDriftHandler;
import dev.quartermaster.release.ReleaseRoot;
import dev.quartermaster.release.ReleaseStatusHandler;
import dev.quartermaster.verify.ScanHandler;
import dev.quartermaster.verify.VerifyHandler;
import dev.quartermaster.verify.VerifyRoot;

/**
 * Builds a catalogued function the way its Lambda constructor does, from a {@link Wiring}: what
 * {@code bin/qm invoke}, the demo and the tests run. Lambda itself never uses this class: each handler's
 * no-arg constructor builds its own ports from the environment.
 */
public final class Handlers {
    private Handlers() {
    }

    public static RequestStreamHandler create(String name, Wiring w) {
        FunctionSpec spec = Catalog.byName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown function '" + name + "'; the stack deploys: " + String.join(", ", Catalog.names())));
        var p = w.platform();
        EventFunction handler = switch (spec.name()) {
            case "image-action" -> new ImageActionHandler(new ImageLedger(LedgerRoot.store(p), p.alerts()));
            case "image-verify" -> new VerifyHandler(VerifyRoot.verification(p, w.registry().apply(p), w.revocations().apply(p)),
                    VerifyRoot.managedRepositories(p.settings()));
            case "image-scan" -> new ScanHandler(VerifyRoot.scans(p));
            case "image-replication" -> new dev.quartermaster.replication.ReplicationHandler(
                    dev.quartermaster.replication.ReplicationRoot.service(p, w.replicationStatus().apply(p)));
            case "replication-backfill" -> {
                var registry = w.registry().apply(p);
                yield new dev.quartermaster.replication.BackfillHandler(dev.quartermaster.replication.ReplicationRoot.backfill(p, registry,
                        dev.quartermaster.replication.ReplicationRoot.targets(p, registry)), dev.quartermaster.replication.ReplicationRoot.runFiles(p));
            }
            case "backup-start" -> new BackupStartHandler(BackupRoot.service(p, w.commands().apply(p)));
            case "backup-status" -> new BackupStatusHandler(BackupRoot.service(p, w.commands().apply(p)));
            case "restore-drill" -> new RestoreDrillHandler(BackupRoot.service(p, w.commands().apply(p)));
            case "backup-watchdog" -> new BackupWatchdogHandler(BackupRoot.service(p, w.commands().apply(p)));
            case "image-archive" -> {
                var registry = w.registry().apply(p);
                yield new ArchiveHandler(ArchiveRoot.service(p, registry), ArchiveRoot.lister(p, registry), ArchiveRoot.repositories(p.settings()));
            }
            case "archive-scrub" -> new ArchiveScrubHandler(ArchiveRoot.upkeep(p), ArchiveRoot.scrubPercent(p.settings()));
            case "release-status" -> new ReleaseStatusHandler(ReleaseRoot.service(p, w.commands().apply(p)));
            case "release-drift" -> new ReleaseDriftHandler(ReleaseRoot.service(p, w.commands().apply(p)));
            case "lifecycle-guard" -> new dev.quartermaster.release.LifecycleGuardHandler(new dev.quartermaster.release.LifecycleGuard(
                    ReleaseRoot.service(p, w.commands().apply(p)), LedgerRoot.store(p), p.alerts()), dev.quartermaster.idempotency.IdempotencyRoot.store(p),
                    ReleaseRoot.hearing(p));
            case "archive-prune" -> new ArchivePruneHandler(ArchiveRoot.upkeep(p), ArchiveRoot.retention(p.settings()), ArchiveRoot.grace(p.settings()));
            default -> throw new IllegalStateException("the catalogue lists " + name + " but Handlers cannot build it: add it here");
        };
        if (!handler.getClass().getName().equals(spec.handlerClass())) {
            throw new IllegalStateException(name + " is " + handler.getClass().getName() + " but the catalogue says " + spec.handlerClass());
        }
        return handler.acceptingOnly(p.origin());
    }
}
