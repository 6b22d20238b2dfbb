package dev.quartermaster.infra;

import dev.quartermaster.contract.TrustRoots;
import dev.quartermaster.contract.options.Options;
import dev.quartermaster.contract.options.Problems;
import dev.quartermaster.contract.options.SigningOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The signature gate's slice with what synth reads for it: the PEM of AWS Signer's roots ({@code
 * signingTrustRoots}) and of the roots of x509.subject identities ({@code signingX509TrustRoots}),
 * never one root in both.
 */
public record Signing(SigningOptions options, String trustRootsPem, String x509TrustRootsPem) {
    /** The defaults: no signing, nothing required, revocation enforced should it be turned on. */
    public static Signing off() {
        return new Signing(SigningOptions.off(), "", "");
    }

    /**
     * Reads the roots the options name (only when signatures are checked), each problem added to
     * {@code problems}.
     */
    static Signing read(SigningOptions o, Problems problems) {
        List<X509Certificate> signerRoots = List.of();
        List<X509Certificate> x509Roots = List.of();
        String pem = "";
        String x509Pem = "";
        if (o.enabled() && !o.trustRootsPath().isEmpty()) {
            signerRoots = roots(o.trustRootsPath(), Options.SIGNING_TRUST_ROOTS.key(), problems);
            pem = signerRoots.isEmpty() ? "" : readQuietly(o.trustRootsPath());
        }
        if (o.enabled() && !o.x509TrustRootsPath().isEmpty()) {
            x509Roots =
                    roots(o.x509TrustRootsPath(), Options.SIGNING_X509_TRUST_ROOTS.key(), problems);
            x509Pem = x509Roots.isEmpty() ? "" : readQuietly(o.x509TrustRootsPath());
        }
        for (X509Certificate root : x509Roots) {
            if (signerRoots.contains(root)) {
                problems.add(
                        Options.SIGNING_X509_TRUST_ROOTS
                                + ": "
                                + root.getSubjectX500Principal()
                                + " is also in "
                                + Options.SIGNING_TRUST_ROOTS
                                + ". AWS Signer roots (signingTrustRoots) vouch for AWS Signer profiles, x509 roots (signingX509TrustRoots) for x509.subject"
                                + " identities; a root in both would let any certificate it issues claim either kind. Keep AWS Signer's root in"
                                + " signingTrustRoots and your own CA in signingX509TrustRoots only");
            }
        }
        return new Signing(o, pem, x509Pem);
    }

    public String mode() {
        return options.mode();
    }

    public List<String> required() {
        return options.required();
    }

    public List<String> identities() {
        return options.identities();
    }

    public String trustRootsPath() {
        return options.trustRootsPath();
    }

    public String x509TrustRootsPath() {
        return options.x509TrustRootsPath();
    }

    public boolean revocationEnforced() {
        return options.revocationEnforced();
    }

    public int waitSeconds() {
        return options.waitSeconds();
    }

    public boolean managed() {
        return options.managed();
    }

    public boolean enabled() {
        return options.enabled();
    }

    /** The roots of a PEM bundle, or none with the problem said. */
    private static List<X509Certificate> roots(String path, String key, Problems problems) {
        try {
            return TrustRoots.parse(Files.readString(Path.of(path)), key + " " + path);
        } catch (IOException e) {
            problems.add(
                    key
                            + ": "
                            + path
                            + " cannot be read ("
                            + e.getMessage()
                            + "); the path is relative to the directory cdk runs in");
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
        }
        return List.of();
    }

    private static String readQuietly(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
