package dev.quartermaster.verify;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.idempotency.IdempotencyRoot;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.registry.RegistryRoot;

import java.time.Clock;
import java.util.Optional;

/** The verify feature's composition root: what image-verify and image-scan are built from. */
public final class VerifyRoot {
    private VerifyRoot() {}

    /** image-verify, reading images from the registry the settings name (ECR in AWS). */
    public static VerificationService verification(Platform p) {
        return verification(
                p,
                RegistryRoot.registry(p),
                dev.quartermaster.signature.SignatureRoot.revocations(p));
    }

    /** image-verify against a given registry (bin/qm's local one) and revocation list. */
    public static VerificationService verification(
            Platform p,
            RegistryClient registry,
            dev.quartermaster.signature.RevocationCheck revocations) {
        VerifyRules rules =
                Optional.of(p.settings().get(Setting.VERIFY_RULES))
                        .filter(r -> !r.isBlank())
                        .map(VerifyRules::parse)
                        .orElseGet(VerifyRules::defaults);
        var signing = dev.quartermaster.signature.SignatureRoot.signingStatus(p);
        dev.quartermaster.common.Priming.reach("image reading", VerifyRoot::primeReading);
        return new VerificationService(
                new ImageVerifier(registry, rules),
                LedgerRoot.store(p),
                IdempotencyRoot.store(p),
                p.alerts(),
                Clock.systemUTC(),
                dev.quartermaster.signature.SignatureRoot.gate(p, registry, revocations, signing));
    }

    /**
     * A verification's whole reading path, on the priming image (its own loopback registry): the
     * manifest fetched and parsed, the layer streamed, decompressed, untarred and searched, the
     * version compared. The primer's event reaches the real registry only for a digest nothing has,
     * which ends at "not found" before any of this.
     *
     * @return the report: VERIFIED unless the path is broken
     */
    static ImageVerifier.Report primeReading() {
        try (var image =
                dev.quartermaster.registry.PrimingImage.serve(
                        "qm-priming/version", "version=1.0.0\n")) {
            VerifyRules rules =
                    VerifyRules.parse(
                            "[{\"repository\":\""
                                    + dev.quartermaster.registry.PrimingImage.REPOSITORY
                                    + "\",\"tagPattern\":\"^v(?<version>\\\\d+\\\\.\\\\d+)$\","
                                    + "\"source\":\"file\",\"path\":\"qm-priming/version\","
                                    + "\"regex\":\"version=(?<version>[0-9.]+)\"}]");
            return new ImageVerifier(image.client(), rules)
                    .verify(
                            dev.quartermaster.registry.PrimingImage.REPOSITORY,
                            image.digest(),
                            "v1.0");
        }
    }

    /**
     * The managed repositories (MANAGED_REPOSITORIES, comma-separated): whose signatures
     * image-verify's schedule re-checks.
     */
    public static java.util.List<String> managedRepositories(Settings s) {
        return java.util.Arrays.stream(s.get(Setting.MANAGED_REPOSITORIES).split(","))
                .map(String::trim)
                .filter(r -> !r.isEmpty())
                .toList();
    }

    /**
     * Amazon Inspector's findings per digest, as image-scan records them (bin/qm status reads them
     * for what the hosts run).
     */
    public static FindingStore findings(Platform p) {
        return p.shared(FindingStore.class, x -> new DynamoDbFindingStore(x.dynamoDb(), x.table()));
    }

    /** image-scan. */
    public static ScanService scans(Platform p) {
        Settings s = p.settings();
        return new ScanService(
                LedgerRoot.store(p),
                IdempotencyRoot.store(p),
                p.alerts(),
                new ScanGate(s.getInt(Setting.SCAN_MAX_CRITICAL), s.getInt(Setting.SCAN_MAX_HIGH)),
                findings(p),
                new dev.quartermaster.ledger.DynamoDbRunningImages(
                        p.dynamoDb(),
                        p.table(),
                        s.get(Setting.RELEASE_REPOSITORY),
                        dev.quartermaster.contract.Host.parseList(s.get(Setting.HOSTS))));
    }
}
