package dev.quartermaster.signature;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whose signatures count and where one is required: the pinned roots, the trusted identities (AWS Signer signing
 * profile ARNs, a profile version ARN, or {@code x509.subject:<DN>} for a plain Notation certificate), the
 * repositories whose releases need a signature (patterns, {@code *} a wildcard), and whether revocation is enforced.
 */
public record TrustPolicy(List<X509Certificate> roots, List<String> identities, List<String> requiredPatterns, boolean revocationEnforced) {
    public static final String SUBJECT_PREFIX = "x509.subject:";

    public TrustPolicy {
        roots = List.copyOf(roots);
        identities = List.copyOf(identities);
        requiredPatterns = List.copyOf(requiredPatterns);
    }

    /** No roots: nothing can verify, every found signature is INVALID (untrusted). */
    public static TrustPolicy none() {
        return new TrustPolicy(List.of(), List.of(), List.of(), true);
    }

    /** Whether releases of {@code repository} need a SIGNED verdict. */
    public boolean required(String repository) {
        return requiredPatterns.stream().anyMatch(p -> matches(p, repository));
    }

    static boolean matches(String pattern, String repository) {
        return Pattern.compile(("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q")).matcher(repository).matches();
    }

    /** Certificates of a PEM bundle; refuses a bundle with none, or a certificate that is not a CA. */
    public static List<X509Certificate> parsePem(String pem, String where) {
        return dev.quartermaster.contract.TrustRoots.parse(pem, where);
    }
}
