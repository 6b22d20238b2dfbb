package dev.quartermaster.contract.options;

import java.util.List;

import static dev.quartermaster.contract.options.Options.SIGNATURE_REQUIRED;
import static dev.quartermaster.contract.options.Options.SIGNATURE_REVOCATION_CHECK;
import static dev.quartermaster.contract.options.Options.SIGNING;
import static dev.quartermaster.contract.options.Options.SIGNING_IDENTITIES;
import static dev.quartermaster.contract.options.Options.SIGNING_TRUST_ROOTS;
import static dev.quartermaster.contract.options.Options.SIGNING_WAIT_SECONDS;
import static dev.quartermaster.contract.options.Options.SIGNING_X509_TRUST_ROOTS;

/**
 * The signature gate: {@code mode} off or managed (the stack's AWS Signer profile signs every push
 * through ECR); which repositories' releases need a signature; whose signatures count (the stack's
 * profile is added when managed); the paths of AWS Signer's roots and of the roots of x509.subject
 * identities (synth reads the files); revocation enforced or skipped; how long image-verify waits
 * for the registry's signing.
 */
public record SigningOptions(
        String mode,
        List<String> required,
        List<String> identities,
        String trustRootsPath,
        String x509TrustRootsPath,
        boolean revocationEnforced,
        int waitSeconds) {
    public SigningOptions {
        required = List.copyOf(required);
        identities = List.copyOf(identities);
    }

    /** The defaults: no signing, nothing required, revocation enforced should it be turned on. */
    public static SigningOptions off() {
        return new SigningOptions(
                SIGNING.defaultValue(),
                List.of(),
                List.of(),
                "",
                "",
                true,
                SIGNING_WAIT_SECONDS.defaultValue());
    }

    public boolean managed() {
        return mode.equals("managed");
    }

    /** Whether image-verify checks signatures at all. */
    public boolean enabled() {
        return managed() || !required.isEmpty();
    }

    /** Whether an identity is an x509.subject one (whose roots are {@link #x509TrustRootsPath}). */
    public boolean hasSubjects() {
        return identities.stream().anyMatch(i -> i.startsWith("x509.subject:"));
    }

    /**
     * Whether AWS Signer's roots are needed: managed signing, or an AWS Signer profile (or no x509
     * identity) among the identities.
     */
    public boolean needsSignerRoots() {
        return enabled()
                && (managed()
                        || !hasSubjects()
                        || identities.stream().anyMatch(i -> !i.startsWith("x509.subject:")));
    }

    static SigningOptions read(OptionSource s, Problems problems, List<String> repositories) {
        String mode = SIGNING.read(s, problems);
        SigningOptions o =
                new SigningOptions(
                        mode,
                        SIGNATURE_REQUIRED.readOr(
                                s, problems, mode.equals("managed") ? repositories : List.of()),
                        SIGNING_IDENTITIES.read(s, problems),
                        SIGNING_TRUST_ROOTS.read(s, problems),
                        SIGNING_X509_TRUST_ROOTS.read(s, problems),
                        SIGNATURE_REVOCATION_CHECK.read(s, problems).equals("enforce"),
                        SIGNING_WAIT_SECONDS.read(s, problems));
        if (o.needsSignerRoots() && o.trustRootsPath().isEmpty()) {
            problems.add(
                    SIGNING_TRUST_ROOTS
                            + ": signatures are checked (signing="
                            + mode
                            + ", signatureRequired="
                            + o.required()
                            + ") but no AWS"
                            + " Signer root is given. Quartermaster does not ship AWS Signer's root certificate (its licence does not grant redistribution):"
                            + " download the AWS Signer root for Notation as the AWS Signer developer guide says (Notation trust store), save it as PEM"
                            + " and set -c signingTrustRoots=path/to/aws-signer-root.pem");
        }
        if (o.enabled() && o.hasSubjects() && o.x509TrustRootsPath().isEmpty()) {
            problems.add(
                    SIGNING_X509_TRUST_ROOTS
                            + ": signingIdentities names x509.subject identities, but no root for them is given. An"
                            + " x509.subject identity is believed only through a chain ending at one of these roots (never at AWS Signer's): set"
                            + " -c signingX509TrustRoots=path/to/your-ca.pem (the CA that issues your Notation signing certificates)");
        }
        if (o.enabled() && !o.managed() && o.identities().isEmpty()) {
            problems.add(
                    SIGNING_IDENTITIES
                            + ": signatureRequired is set without managed signing, so name whose signatures count"
                            + " (an AWS Signer signing profile ARN, or x509.subject:<DN> of your Notation certificate)");
        }
        return o;
    }
}
