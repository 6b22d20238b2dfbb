package dev.quartermaster.common;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds SDK clients once per container. Endpoints follow the SDK's standard settings
 * ({@code AWS_ENDPOINT_URL}, then {@code AWS_ENDPOINT_URL_<SERVICE>}), read from {@link Settings} so
 * that a local run passes them as a map; LocalStack, Floci and the project's local backends all work
 * this way. One lightweight HTTP client (URLConnection) is shared: it starts fastest on Lambda.
 */
public final class AwsClients {
    private final Settings settings;
    private final SdkHttpClient http;
    private final Region region;

    public AwsClients(Settings settings) {
        this.settings = settings;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(30))
                .build();
        this.region = Region.of(settings.get("AWS_REGION").or(() -> settings.get("AWS_DEFAULT_REGION")).orElse("us-east-1"));
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").build();
    }

    public S3Client s3() {
        var builder = configure(S3Client.builder(), "S3");
        // emulators answer on one host name: bucket-in-path addressing always works there
        endpoint("S3").ifPresent(e -> builder.forcePathStyle(true));
        return builder.build();
    }

    public SnsClient sns() {
        return configure(SnsClient.builder(), "SNS").build();
    }

    public SsmClient ssm() {
        return configure(SsmClient.builder(), "SSM").build();
    }

    public EcrClient ecr() {
        return configure(EcrClient.builder(), "ECR").build();
    }

    public Region region() {
        return region;
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(region)
                .credentialsProvider(credentials())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(Duration.ofSeconds(30))
                        .apiCallAttemptTimeout(Duration.ofSeconds(10))
                        .build());
        if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClient(http);
        }
        endpoint(service).ifPresent(e -> builder.endpointOverride(URI.create(e)));
        return builder;
    }

    private AwsCredentialsProvider credentials() {
        Optional<String> key = settings.get("AWS_ACCESS_KEY_ID");
        Optional<String> secret = settings.get("AWS_SECRET_ACCESS_KEY");
        if (key.isEmpty() || secret.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        Optional<String> token = settings.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(token.isPresent()
                ? AwsSessionCredentials.create(key.get(), secret.get(), token.get())
                : AwsBasicCredentials.create(key.get(), secret.get()));
    }

    /** Service-specific endpoint first, then the global one, as the SDK documents. */
    public Optional<String> endpoint(String service) {
        return settings.get("AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT))
                .or(() -> settings.get("AWS_ENDPOINT_URL"));
    }
}
