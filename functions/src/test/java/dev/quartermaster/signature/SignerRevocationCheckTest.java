package dev.quartermaster.signature;

import dev.quartermaster.common.AwsClients;
import dev.quartermaster.common.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where GetRevocationStatus goes: the operation's endpoint host prefix {@code data-} on the
 * regional signer host, as the AWS SDK for Go v2 sends it
 * (service/signer/api_op_GetRevocationStatus.go); an explicit endpoint is taken as given.
 */
class SignerRevocationCheckTest {
    private static AwsClients aws(Map<String, String> extra) {
        Map<String, String> m =
                new java.util.HashMap<>(
                        Map.of(
                                "AWS_REGION",
                                "eu-west-1",
                                "AWS_ACCESS_KEY_ID",
                                "AKIDEXAMPLE",
                                "AWS_SECRET_ACCESS_KEY",
                                "secret"));
        m.putAll(extra);
        return new AwsClients(Settings.of(m));
    }

    @Test
    void endpoint_withoutOverride_isTheDataPrefixedSignerHost() {
        assertThat(new SignerRevocationCheck(aws(Map.of())).endpoint().getHost())
                .isEqualTo("data-signer.eu-west-1.amazonaws.com");
        assertThat(new SignerRevocationCheck(aws(Map.of())).endpoint().getScheme())
                .isEqualTo("https");
        assertThat(
                        SignerRevocationCheck.defaultEndpoint(
                                software.amazon.awssdk.regions.Region.CN_NORTH_1))
                .isEqualTo("https://data-signer.cn-north-1.amazonaws.com.cn");
    }

    @Test
    void endpoint_withAnOverride_isTheOverrideAsGiven() {
        assertThat(
                        new SignerRevocationCheck(
                                        aws(
                                                Map.of(
                                                        "AWS_ENDPOINT_URL_SIGNER",
                                                        "http://127.0.0.1:4566")))
                                .endpoint()
                                .toString())
                .isEqualTo("http://127.0.0.1:4566");
    }
}
