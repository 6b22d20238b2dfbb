package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quartermaster.common.AwsClients;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * AWS Signer's GetRevocationStatus ({@code GET /revocations}, SigV4, service {@code signer}),
 * called over the shared HTTP client: the SDK's Signer module is not in the build, and this one
 * read is all the gate needs of it. Endpoint: {@code AWS_ENDPOINT_URL_SIGNER}, {@code
 * AWS_ENDPOINT_URL}, else {@code https://data-signer.<region>.<domain>}: the operation carries the
 * endpoint host prefix {@code data-} (the AWS SDK for Go v2, which AWS Signer's Notation plugin
 * uses, prepends it to the resolved host: service/signer/api_op_GetRevocationStatus.go,
 * endpointPrefix middleware). An explicit endpoint is taken as it is, as the SDKs treat an
 * immutable host.
 */
public final class SignerRevocationCheck implements RevocationCheck {
    public static final String PLATFORM = "Notation-OCI-SHA384-ECDSA";
    static final int MAX_RESPONSE_BYTES = 256 * 1024;

    /**
     * GetRevocationStatus's endpoint host prefix (aws-sdk-go-v2
     * service/signer/api_op_GetRevocationStatus.go).
     */
    static final String HOST_PREFIX = "data-";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AwsClients aws;
    private final URI endpoint;

    public SignerRevocationCheck(AwsClients aws) {
        this.aws = aws;
        this.endpoint =
                URI.create(aws.endpoint("SIGNER").orElseGet(() -> defaultEndpoint(aws.region())));
    }

    /**
     * AWS Signer's data-plane endpoint in {@code region}: the operation's host prefix on the
     * regional signer host.
     */
    static String defaultEndpoint(software.amazon.awssdk.regions.Region region) {
        var metadata = region.metadata();
        String domain = metadata == null ? "amazonaws.com" : metadata.domain();
        return "https://" + HOST_PREFIX + "signer." + region.id() + "." + domain;
    }

    /** Where the request goes. */
    URI endpoint() {
        return endpoint;
    }

    @Override
    public List<String> revoked(Query q) {
        SdkHttpRequest.Builder b =
                SdkHttpRequest.builder()
                        .method(SdkHttpMethod.GET)
                        .uri(endpoint.resolve("/revocations"))
                        .putRawQueryParameter("signatureTimestamp", q.signingTime().toString())
                        .putRawQueryParameter("platformId", PLATFORM)
                        .putRawQueryParameter("profileVersionArn", q.profileVersionArn())
                        .putRawQueryParameter("jobArn", q.jobArn())
                        .putRawQueryParameter("certificateHashes", q.certificateHashes());
        var signed =
                AwsV4HttpSigner.create()
                        .sign(
                                r ->
                                        r.identity(aws.credentials().resolveCredentials())
                                                .request(b.build())
                                                .putProperty(
                                                        AwsV4HttpSigner.SERVICE_SIGNING_NAME,
                                                        "signer")
                                                .putProperty(
                                                        AwsV4HttpSigner.REGION_NAME,
                                                        aws.region().id()));
        try {
            HttpExecuteResponse response =
                    aws.http()
                            .prepareRequest(
                                    software.amazon.awssdk.http.HttpExecuteRequest.builder()
                                            .request(signed.request())
                                            .build())
                            .call();
            byte[] body;
            try (InputStream in =
                    response.responseBody()
                            .map(InputStream.class::cast)
                            .orElse(InputStream.nullInputStream())) {
                body = in.readNBytes(MAX_RESPONSE_BYTES);
            }
            int status = response.httpResponse().statusCode();
            if (status != 200) {
                throw new IllegalStateException(
                        "signer:GetRevocationStatus answered HTTP "
                                + status
                                + ": "
                                + dev.quartermaster.common.Text.oneLine(
                                        new String(body, java.nio.charset.StandardCharsets.UTF_8),
                                        200));
            }
            List<String> out = new ArrayList<>();
            JsonNode revoked = JSON.readTree(body).path("revokedEntities");
            revoked.forEach(e -> out.add(dev.quartermaster.common.Text.oneLine(e.asText(), 300)));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "signer:GetRevocationStatus failed: " + e.getMessage(), e);
        }
    }
}
