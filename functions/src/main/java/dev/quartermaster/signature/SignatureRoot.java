package dev.quartermaster.signature;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.ledger.LedgerRoot;
import dev.quartermaster.registry.RegistryClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The signature gate's composition root: the trust policy from the settings, the registry's
 * signatures, Signer's revocations.
 */
public final class SignatureRoot {

    private SignatureRoot() {}

    /**
     * The trust policy the settings describe: AWS Signer roots from the PEM file
     * SIGNING_TRUST_ROOTS names, roots for x509.subject identities from the one
     * SIGNING_X509_TRUST_ROOTS names.
     */
    public static TrustPolicy policy(Settings s) {
        List<java.security.cert.X509Certificate> roots = roots(s, Setting.SIGNING_TRUST_ROOTS);
        List<java.security.cert.X509Certificate> x509Roots =
                roots(s, Setting.SIGNING_X509_TRUST_ROOTS);
        String revocation = s.get(Setting.SIGNATURE_REVOCATION_CHECK);
        if (!revocation.equals("enforce") && !revocation.equals("skip")) {
            throw new IllegalStateException(
                    "SIGNATURE_REVOCATION_CHECK must be enforce or skip, not '" + revocation + "'");
        }
        try {
            return new TrustPolicy(
                    roots,
                    x509Roots,
                    list(s, Setting.SIGNING_IDENTITIES),
                    list(s, Setting.SIGNATURE_REQUIRED),
                    revocation.equals("enforce"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static List<java.security.cert.X509Certificate> roots(Settings s, Setting setting) {
        String path = s.get(setting);
        if (path.isBlank()) {
            return List.of();
        }
        try {
            return TrustPolicy.parsePem(
                    Files.readString(Path.of(path)), setting.name() + " " + path);
        } catch (IOException e) {
            throw new IllegalStateException(
                    setting.name() + " names " + path + ", which cannot be read: " + e.getMessage(),
                    e);
        }
    }

    /** The repository patterns whose releases need a SIGNED verdict ({@link SignatureSettings}). */
    public static List<String> required(Settings s) {
        return SignatureSettings.required(s);
    }

    /**
     * Whether the gate runs: signing managed, or a repository requires signatures ({@link
     * SignatureSettings}).
     */
    public static boolean enabled(Settings s) {
        return SignatureSettings.enabled(s);
    }

    private static List<String> list(Settings s, Setting setting) {
        return SignatureSettings.list(s, setting);
    }

    /**
     * image-verify's signature step against {@code registry}, with {@code revocation} (AWS Signer
     * in Lambda) and {@code signing} (ECR's signing status when signing is managed).
     */
    public static SignatureGate gate(
            Platform p,
            RegistryClient registry,
            RevocationCheck revocation,
            SigningStatus signing) {
        Settings s = p.settings();
        if (!enabled(s)) {
            return SignatureGate.off();
        }
        TrustPolicy policy = policy(s);
        return new SignatureGate(
                service(policy, registry, revocation, signing),
                policy,
                LedgerRoot.store(p),
                p.alerts(),
                Duration.ofSeconds(s.getInt(Setting.SIGNING_WAIT_SECONDS)));
    }

    /**
     * Every check of one digest's signatures (what image-verify's gate, its hourly re-check and the
     * release gate run).
     */
    public static SignatureService service(
            TrustPolicy policy,
            RegistryClient registry,
            RevocationCheck revocation,
            SigningStatus signing) {
        return new SignatureService(
                new RegistrySignatureSource(registry),
                signing,
                new NotationVerifier(policy, revocation),
                Clock.systemUTC(),
                d -> Thread.sleep(d.toMillis()));
    }

    /** ECR's signing status where ECR signs (signing managed, ECR's registry); none elsewhere. */
    public static SigningStatus signingStatus(Platform p) {
        Settings s = p.settings();
        boolean ecrSigns =
                "managed".equals(s.get(Setting.SIGNING))
                        && "ecr".equals(s.get(Setting.REGISTRY_AUTH));
        return ecrSigns
                ? new EcrSigningStatus(dev.quartermaster.registry.RegistryRoot.ecr(p))
                : SigningStatus.none();
    }

    /**
     * The platform's revocation list: AWS Signer's ({@link #signer}), unless the platform replaces
     * it (bin/qm's local stand-in).
     */
    public static RevocationCheck revocations(Platform p) {
        return p.shared(RevocationCheck.class, SignatureRoot::signer);
    }

    /** AWS Signer's revocation list. */
    public static RevocationCheck signer(Platform p) {
        return new SignerRevocationCheck(p.clients());
    }
}
