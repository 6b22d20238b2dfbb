package dev.quartermaster.contract;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * The signature gate's trusted roots as a PEM bundle: read the same way at synth (checked) and in
 * image-verify (used).
 */
public final class TrustRoots {
    /**
     * Where the stack's layer puts the bundle in image-verify's file system (layers are extracted
     * under /opt).
     */
    public static final String LAMBDA_PATH = "/opt/qm-signing/trust-roots.pem";

    /**
     * Where the same layer puts the roots of x509.subject identities (signingX509TrustRoots), when
     * there are any.
     */
    public static final String LAMBDA_X509_PATH = "/opt/qm-signing/x509-trust-roots.pem";

    private TrustRoots() {}

    /**
     * The certificates of a PEM bundle; refuses one with none, or with a certificate that is not a
     * CA.
     */
    public static List<X509Certificate> parse(String pem, String where) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(
                    where + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c :
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(
                                            pem.getBytes(StandardCharsets.US_ASCII)))) {
                X509Certificate x = (X509Certificate) c;
                if (x.getBasicConstraints() < 0) {
                    throw new IllegalArgumentException(
                            where
                                    + ": "
                                    + x.getSubjectX500Principal()
                                    + " is not a CA certificate; a trust root must be one");
                }
                out.add(x);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(
                    where + " is not a readable PEM bundle: " + e.getMessage(), e);
        }
    }
}
