package dev.quartermaster.signature;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whose signatures count and where one is required: the pinned roots per kind of identity ({@code
 * signerRoots}: AWS Signer's, the only ones a {@code notary.x509.signingAuthority} signature and an
 * AWS Signer profile identity are checked against; {@code x509Roots}: the CAs of {@code
 * x509.subject:<DN>} identities, for plain {@code notary.x509} signatures, as Notation keeps
 * signingAuthority and CA trust stores apart), the trusted identities (AWS Signer signing profile
 * ARNs, a profile version ARN, or {@code x509.subject:<DN>}), the repositories whose releases need
 * a signature (patterns, {@code *} a wildcard), and whether revocation is enforced. A root in both
 * lists is refused.
 */
public record TrustPolicy(
        List<X509Certificate> signerRoots,
        List<X509Certificate> x509Roots,
        List<String> identities,
        List<String> requiredPatterns,
        boolean revocationEnforced) {
    public static final String SUBJECT_PREFIX = "x509.subject:";

    public TrustPolicy {
        signerRoots = List.copyOf(signerRoots);
        x509Roots = List.copyOf(x509Roots);
        identities = List.copyOf(identities);
        requiredPatterns = List.copyOf(requiredPatterns);
        for (X509Certificate r : x509Roots) {
            if (signerRoots.contains(r)) {
                throw new IllegalArgumentException(
                        r.getSubjectX500Principal()
                                + " is both an AWS Signer root (signingTrustRoots) and a root for"
                                + " x509.subject identities (signingX509TrustRoots): keep it in one, or any certificate it issues could claim either identity");
            }
        }
    }

    /**
     * Only AWS Signer roots (signatures by AWS Signer profiles), no root for x509.subject
     * identities.
     */
    public TrustPolicy(
            List<X509Certificate> signerRoots,
            List<String> identities,
            List<String> requiredPatterns,
            boolean revocationEnforced) {
        this(signerRoots, List.of(), identities, requiredPatterns, revocationEnforced);
    }

    /** Only AWS Signer roots: signatures by AWS Signer profiles. */
    public static TrustPolicy awsSigner(
            List<X509Certificate> roots,
            List<String> identities,
            List<String> requiredPatterns,
            boolean revocationEnforced) {
        return new TrustPolicy(roots, List.of(), identities, requiredPatterns, revocationEnforced);
    }

    /** No roots: nothing can verify, every found signature is INVALID (untrusted). */
    public static TrustPolicy none() {
        return new TrustPolicy(List.of(), List.of(), List.of(), List.of(), true);
    }

    /** Whether releases of {@code repository} need a SIGNED verdict. */
    public boolean required(String repository) {
        return requiredPatterns.stream().anyMatch(p -> matches(p, repository));
    }

    static boolean matches(String pattern, String repository) {
        return Pattern.compile(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q"))
                .matcher(repository)
                .matches();
    }

    /**
     * Certificates of a PEM bundle; refuses a bundle with none, or a certificate that is not a CA.
     */
    public static List<X509Certificate> parsePem(String pem, String where) {
        return dev.quartermaster.contract.TrustRoots.parse(pem, where);
    }
}
