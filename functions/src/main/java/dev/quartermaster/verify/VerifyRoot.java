package dev.quartermaster.verify;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.registry.EcrAuth;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;

import java.time.Clock;

/** The verify feature's composition root: what image-verify and image-scan are built from. */
public final class VerifyRoot {
    private VerifyRoot() {
    }

    /** image-verify, reading images from the registry the settings name (ECR in AWS). */
    public static VerificationService verification(Platform p) {
        return verification(p, registry(p));
    }

    /** image-verify against a given registry (bin/qm's local one). */
    public static VerificationService verification(Platform p, RegistryClient registry) {
        VerifyRules rules = p.settings().get("VERIFY_RULES").map(VerifyRules::parse).orElseGet(VerifyRules::defaults);
        return new VerificationService(new ImageVerifier(registry, rules), p.ledgerStore(), p.idempotency(), p.alerts(), Clock.systemUTC());
    }

    /** image-scan. */
    public static ScanService scans(Platform p) {
        Settings s = p.settings();
        return new ScanService(p.ledgerStore(), p.idempotency(), p.alerts(),
                new ScanGate(s.getInt("SCAN_MAX_CRITICAL", 0), s.getInt("SCAN_MAX_HIGH", -1)));
    }

    /** An ECR client (the image functions' and the archive's; not in the host functions' jar). */
    public static software.amazon.awssdk.services.ecr.EcrClient ecr(Platform p) {
        return p.clients().configure(software.amazon.awssdk.services.ecr.EcrClient.builder(), "ECR").build();
    }

    /** ECR's Basic auth from GetAuthorizationToken, the client built on first use, the token renewed before it expires. */
    public static RegistryAuth ecrAuth(Platform p) {
        var ecr = Platform.memo(() -> ecr(p));
        return new EcrAuth(() -> {
            var data = ecr.get().getAuthorizationToken().authorizationData().get(0);
            return new EcrAuth.Token(data.authorizationToken(), data.expiresAt());
        }, Clock.systemUTC());
    }

    /** The registry client from REGISTRY_URL and REGISTRY_AUTH (ecr: a token from GetAuthorizationToken, renewed before it expires). */
    public static RegistryClient registry(Platform p) {
        Settings s = p.settings();
        String url = s.require("REGISTRY_URL");
        String mode = s.getOrDefault("REGISTRY_AUTH", "none");
        RegistryAuth auth = switch (mode) {
            case "ecr" -> ecrAuth(p);
            case "none" -> RegistryAuth.anonymous();
            default -> throw new IllegalStateException("REGISTRY_AUTH='" + mode + "' must be ecr or none");
        };
        return new RegistryClient(url, auth);
    }
}
