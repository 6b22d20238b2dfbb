package dev.quartermaster.infra;

import dev.quartermaster.testkit.LocalMoto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synth's ECR lookup against moto's ECR (DescribeRepositories): AES256, a KMS key, a repository
 * that does not exist.
 */
class EcrDeployedRepositoriesIT {
    @Test
    void encryption_ofEachExistingRepository_asEcrCreatedIt(@TempDir Path dir) {
        String key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        try (LocalMoto moto = LocalMoto.start(dir);
                EcrClient ecr =
                        EcrClient.builder()
                                .region(Region.US_EAST_1)
                                .endpointOverride(URI.create(moto.endpoint()))
                                .httpClient(UrlConnectionHttpClient.create())
                                .credentialsProvider(
                                        StaticCredentialsProvider.create(
                                                AwsBasicCredentials.create("test", "test")))
                                .build()) {
            ecr.createRepository(
                    b ->
                            b.repositoryName("wordpress")
                                    .encryptionConfiguration(
                                            c -> c.encryptionType("KMS").kmsKey(key)));
            ecr.createRepository(b -> b.repositoryName("team/mariadb"));

            Map<String, String> found =
                    new EcrDeployedRepositories("us-east-1", URI.create(moto.endpoint()))
                            .encryption(List.of("wordpress", "team/mariadb", "never-deployed"));

            assertThat(found)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("wordpress", key, "team/mariadb", "AES256"));
        }
    }
}
