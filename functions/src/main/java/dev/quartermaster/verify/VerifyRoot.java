package dev.quartermaster.verify;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;

import java.time.Clock;
import java.util.Optional;

/** The verify feature's composition root: what image-verify and image-scan are built from. */
public final class VerifyRoot {
    private VerifyRoot() {
    }

    /** image-verify, reading images from the registry the settings name (ECR in AWS). */
    public static VerificationService verification(Platform p) {
        return verification(p, RegistryRoot.registry(p));
    }

    /** image-verify against a given registry (bin/qm's local one). */
    public static VerificationService verification(Platform p, RegistryClient registry) {
        VerifyRules rules = Optional.of(p.settings().get(Setting.VERIFY_RULES)).filter(r -> !r.isBlank()).map(VerifyRules::parse).orElseGet(VerifyRules::defaults);
        return new VerificationService(new ImageVerifier(registry, rules), LedgerRoot.store(p), IdempotencyRoot.store(p), p.alerts(), Clock.systemUTC());
    }

    /** image-scan. */
    public static ScanService scans(Platform p) {
        Settings s = p.settings();
        return new ScanService(LedgerRoot.store(p), IdempotencyRoot.store(p), p.alerts(),
                new ScanGate(s.getInt(Setting.SCAN_MAX_CRITICAL), s.getInt(Setting.SCAN_MAX_HIGH)));
    }
}
