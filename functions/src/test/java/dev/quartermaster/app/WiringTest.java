package dev.quartermaster.app;

import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release gate's and bin/qm verify's signature check exists only where it could find a good
 * signature: an operator's environment with the roots but without the trusted identities would
 * otherwise record every good digest INVALID.
 */
class WiringTest {
    private static Platform platform(Map<String, String> extra) {
        Map<String, String> s =
                new HashMap<>(
                        Map.of(
                                "TABLE_NAME",
                                "qm",
                                "AWS_REGION",
                                "us-east-1",
                                "SIGNING",
                                "managed"));
        s.putAll(extra);
        return new Platform(Settings.of(s));
    }

    @Test
    void signatures_whenRootsAreSetButNoIdentity_isNone() {
        assertThat(
                        Wiring.of(
                                        platform(
                                                Map.of(
                                                        "SIGNING_TRUST_ROOTS",
                                                        "/opt/qm-signing/trust-roots.pem")))
                                .signatures())
                .isNull();
        assertThat(
                        Wiring.of(
                                        platform(
                                                Map.of(
                                                        "SIGNING_TRUST_ROOTS",
                                                        "/opt/qm-signing/trust-roots.pem",
                                                        "SIGNING_IDENTITIES",
                                                        " [ ] ")))
                                .signatures())
                .isNull();
    }

    @Test
    void signatures_whenIdentitiesAreSetButNoRoot_isNone() {
        assertThat(
                        Wiring.of(
                                        platform(
                                                Map.of(
                                                        "SIGNING_IDENTITIES",
                                                        "[\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm\"]")))
                                .signatures())
                .isNull();
    }
}
