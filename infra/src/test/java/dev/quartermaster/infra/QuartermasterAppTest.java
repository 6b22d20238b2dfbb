package dev.quartermaster.infra;

import dev.quartermaster.contract.Bundle;
import dev.quartermaster.contract.DeployRecord;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A synth is not a deploy: it records nothing, and only what a deploy recorded fixes a repository's
 * encryption.
 */
class QuartermasterAppTest {
    @TempDir Path dir;

    App app(Map<String, Object> extra) throws Exception {
        Path jars = Files.createDirectories(dir.resolve("jars"));
        for (Bundle b : Bundle.values()) {
            Files.writeString(jars.resolve(b.jarName()), "placeholder for " + b.jarName());
        }
        Map<String, Object> context =
                new HashMap<>(
                        Map.of(
                                "functionsJars",
                                jars.toString(),
                                "lockFile",
                                dir.resolve("lock.json").toString()));
        context.putAll(extra);
        return App.Builder.create()
                .context(context)
                .outdir(Files.createTempDirectory(dir, "out").toString())
                .build();
    }

    @Test
    void synth_thenSynthWithAnotherEncryption_bothSucceed_andNothingIsRecorded() throws Exception {
        QuartermasterApp.synth(app(Map.of()), name -> null);
        QuartermasterApp.synth(app(Map.of("repositoryEncryption", "KMS")), name -> null);

        assertThat(dir.resolve("lock.json"))
                .as("a synth deploys nothing, so it records nothing")
                .doesNotExist();
    }

    @Test
    void synth_whenADeployRecordedKms_refusesAes256SayingWhyAndTheWayOut() throws Exception {
        DeployRecord.write(
                dir.resolve("lock.json"),
                "Quartermaster",
                new DeployRecord(null, null, Map.of("wordpress", "KMS")));

        assertThatThrownBy(() -> QuartermasterApp.synth(app(Map.of()), name -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wordpress was created with KMS")
                .hasMessageContaining("bin/qm deploy writes it");
        QuartermasterApp.synth(app(Map.of("repositoryEncryption", "KMS")), name -> null);
    }

    @Test
    void synth_withCredentials_asksTheRegistry_whichWinsOverTheRecord() throws Exception {
        DeployRecord.write(
                dir.resolve("lock.json"),
                "Quartermaster",
                new DeployRecord(null, null, Map.of("wordpress", "KMS")));
        String key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        // ECR holds wordpress with AES256 (the record is stale): KMS is refused, saying where the
        // answer came from
        assertThatThrownBy(
                        () ->
                                QuartermasterApp.synth(
                                        app(Map.of("repositoryEncryption", "KMS")),
                                        name -> null,
                                        names -> Map.of("wordpress", "AES256")))
                .hasMessageContaining("wordpress was created with AES256")
                .hasMessageContaining("ECR's DescribeRepositories");
        // ECR holds no such repository: nothing was deployed, anything goes
        QuartermasterApp.synth(app(Map.of()), name -> null, names -> Map.of());
        // ECR names the key of a KMS repository: KMS (the stack's key) stays KMS; AES256 or another
        // key is a change
        QuartermasterApp.synth(
                app(Map.of("repositoryEncryption", "KMS")),
                name -> null,
                names -> Map.of("wordpress", key));
        assertThatThrownBy(
                        () ->
                                QuartermasterApp.synth(
                                        app(Map.of()),
                                        name -> null,
                                        names -> Map.of("wordpress", key)))
                .hasMessageContaining("wordpress was created with " + key);
        // ECR cannot be read: the record answers
        assertThatThrownBy(
                        () ->
                                QuartermasterApp.synth(
                                        app(Map.of()),
                                        name -> null,
                                        names -> {
                                            throw new IllegalStateException(
                                                    "Unable to load credentials");
                                        }))
                .hasMessageContaining("wordpress was created with KMS")
                .hasMessageContaining("bin/qm deploy writes it");
    }

    @Test
    void synth_whenAKeyIsUndeclared_refusesItNamingTheClosestKey() throws Exception {
        assertThatThrownBy(
                        () ->
                                QuartermasterApp.synth(
                                        app(
                                                Map.of(
                                                        "replicaton",
                                                        "[]",
                                                        "@aws-cdk/core:someFlag",
                                                        true)),
                                        name -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option 'replicaton' — did you mean 'replication'?")
                .hasMessageNotContaining("@aws-cdk");
    }

    @Test
    void configuration_readsAnOptionOfATestDeclaration_throughTheNodesContext() throws Exception {
        Option<Integer> extra =
                Option.integer("test", "testOnlyKnob", 3, 0, 10, "a knob only this test declares");
        List<Option<?>> declared = new ArrayList<>(Options.ALL);
        declared.add(extra);

        StackConfig config =
                QuartermasterApp.configuration(
                        app(Map.of(extra.key(), "7")), name -> null, declared);

        assertThat(config.options().get(extra)).isEqualTo(7);
        assertThatThrownBy(
                        () ->
                                QuartermasterApp.configuration(
                                        app(Map.of(extra.key(), "7")), name -> null, Options.ALL))
                .hasMessageContaining("unknown option '" + extra.key() + "'");
    }

    @Test
    void ecrWhenCredentials_onlyWhenCdkFoundAnAccount() {
        assertThat(QuartermasterApp.ecrWhenCredentials(name -> null)).isNull();
        assertThat(
                        QuartermasterApp.ecrWhenCredentials(
                                Map.of("CDK_DEFAULT_REGION", "us-east-1")::get))
                .isNull();
        assertThat(
                        QuartermasterApp.ecrWhenCredentials(
                                Map.of(
                                                "CDK_DEFAULT_REGION",
                                                "us-east-1",
                                                "CDK_DEFAULT_ACCOUNT",
                                                "123456789012")
                                        ::get))
                .isInstanceOf(EcrDeployedRepositories.class);
    }

    @Test
    void synth_ignoresARecordOfAnotherAccountOrStack_andWhatAnEarlierSynthWrote() throws Exception {
        Path lock = dir.resolve("lock.json");
        Files.writeString(lock, "{\"repositoryEncryption\": {\"wordpress\": \"KMS\"}}");
        DeployRecord.write(
                lock,
                "Quartermaster",
                new DeployRecord("111111111111", "us-east-1", Map.of("wordpress", "KMS")));
        DeployRecord.write(
                lock, "Staging", new DeployRecord(null, null, Map.of("wordpress", "KMS")));

        QuartermasterApp.synth(app(Map.of("homeAccount", "123456789012")), name -> null);

        assertThatThrownBy(
                        () ->
                                QuartermasterApp.synth(
                                        app(Map.of("stackName", "Staging")), name -> null))
                .hasMessageContaining("wordpress was created with KMS");
    }
}
