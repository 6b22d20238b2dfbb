package dev.quartermaster.common;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds SDK clients once per container. Endpoints follow the SDK's standard settings ({@code
 * AWS_ENDPOINT_URL}, then {@code AWS_ENDPOINT_URL_<SERVICE>}), read from {@link Settings} so that a
 * local run passes them as a map; LocalStack, Floci and the project's local backends all work this
 * way. One lightweight HTTP client (URLConnection) is shared: it starts fastest on Lambda. Only the
 * clients every function uses are named here (DynamoDB, SNS): a feature builds its own ({@code
 * configured(S3Client.builder(), "S3").build()}), so each function jar carries only the SDK modules
 * its functions call (see {@code Bundle}).
 */
public final class AwsClients {
    private final Settings settings;
    private final SdkHttpClient http;
    private final Region region;

    public AwsClients(Settings settings) {
        this.settings = settings;
        // guarded: while a primer runs, only reads leave the process (PrimingGuard)
        this.http =
                PrimingGuard.around(
                        UrlConnectionHttpClient.builder()
                                .connectionTimeout(Duration.ofSeconds(3))
                                .socketTimeout(Duration.ofSeconds(30))
                                .build());
        this.region =
                Region.of(
                        settings.get("AWS_REGION")
                                .or(() -> settings.get("AWS_DEFAULT_REGION"))
                                .orElse("us-east-1"));
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").build();
    }

    public SnsClient sns() {
        return configure(SnsClient.builder(), "SNS").build();
    }

    public Region region() {
        return region;
    }

    /**
     * A client builder with this container's region, credentials, timeouts, HTTP client and the
     * service's endpoint setting.
     */
    public <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(region)
                .credentialsProvider(credentials())
                .overrideConfiguration(
                        ClientOverrideConfiguration.builder()
                                .apiCallTimeout(Duration.ofSeconds(30))
                                .apiCallAttemptTimeout(Duration.ofSeconds(10))
                                .addExecutionInterceptor(PrimingGuard.INTERCEPTOR)
                                .build());
        if (builder
                instanceof
                software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClient(http);
        }
        endpoint(service).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        return builder;
    }

    /**
     * The shared HTTP client, for the one call no SDK module of ours carries (AWS Signer's
     * GetRevocationStatus).
     */
    public SdkHttpClient http() {
        return http;
    }

    /** This container's credentials, as every client uses them. */
    public AwsCredentialsProvider credentials() {
        Optional<String> key = settings.get("AWS_ACCESS_KEY_ID");
        Optional<String> secret = settings.get("AWS_SECRET_ACCESS_KEY");
        if (key.isEmpty() || secret.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        Optional<String> token = settings.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(
                token.isPresent()
                        ? AwsSessionCredentials.create(key.get(), secret.get(), token.get())
                        : AwsBasicCredentials.create(key.get(), secret.get()));
    }

    /** Service-specific endpoint first, then the global one, as the SDK documents. */
    public Optional<String> endpoint(String service) {
        return settings.get("AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT))
                .or(() -> settings.get("AWS_ENDPOINT_URL"));
    }
}
