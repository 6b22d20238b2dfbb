package dev.quartermaster.infra;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.EncryptionConfiguration;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link DeployedRepositories} from ECR's {@code DescribeRepositories}, one repository per call (a
 * missing one fails only itself).
 */
final class EcrDeployedRepositories implements DeployedRepositories {
    private final String region;
    private final URI endpoint;

    /**
     * @param endpoint null for ECR's own (a test's emulator otherwise)
     */
    EcrDeployedRepositories(String region, URI endpoint) {
        this.region = region;
        this.endpoint = endpoint;
    }

    @Override
    public Map<String, String> encryption(List<String> names) {
        var builder =
                EcrClient.builder()
                        .region(Region.of(region))
                        .httpClient(
                                UrlConnectionHttpClient.builder()
                                        .connectionTimeout(Duration.ofSeconds(3))
                                        .socketTimeout(Duration.ofSeconds(5))
                                        .build())
                        .overrideConfiguration(
                                ClientOverrideConfiguration.builder()
                                        .apiCallTimeout(Duration.ofSeconds(15))
                                        .build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        Map<String, String> out = new TreeMap<>();
        try (EcrClient ecr = builder.build()) {
            for (String name : names) {
                try {
                    var repos =
                            ecr.describeRepositories(b -> b.repositoryNames(name)).repositories();
                    if (!repos.isEmpty()) {
                        out.put(name, encryption(repos.get(0).encryptionConfiguration()));
                    }
                } catch (RepositoryNotFoundException e) {
                    // not deployed (or deleted): nothing fixes its encryption
                }
            }
        }
        return out;
    }

    /** ECR's answer in the configuration's terms: AES256, or the key's ARN (KMS, KMS_DSSE). */
    static String encryption(EncryptionConfiguration c) {
        if (c == null
                || c.encryptionTypeAsString() == null
                || c.encryptionTypeAsString().equals("AES256")) {
            return "AES256";
        }
        return c.kmsKey() == null || c.kmsKey().isBlank() ? "KMS" : c.kmsKey();
    }
}
