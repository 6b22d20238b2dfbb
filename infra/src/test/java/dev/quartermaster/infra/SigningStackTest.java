package dev.quartermaster.infra;

import dev.quartermaster.testkit.NotationSigner;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The signature gate's stack: off by default; managed signing's profile, configuration, trust-roots
 * layer and grants.
 */
class SigningStackTest {
    static String rootsFile() throws Exception {
        Path f = Files.createTempFile("qm-roots", ".pem");
        Files.writeString(f, NotationSigner.chain("stack-test").rootPem());
        return f.toString();
    }

    static String verifyEnv(Template t, String key) {
        var fns =
                t.findResources(
                        "AWS::Lambda::Function",
                        Match.objectLike(
                                Map.of(
                                        "Properties",
                                        Match.objectLike(
                                                Map.of(
                                                        "Environment",
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Variables",
                                                                        Match.objectLike(
                                                                                Map.of(
                                                                                        "SIGNING",
                                                                                        Match
                                                                                                .anyValue())))))))));
        assertThat(fns).hasSize(1);
        return Json.MAPPER
                .valueToTree(fns.values().iterator().next())
                .path("Properties")
                .path("Environment")
                .path("Variables")
                .path(key)
                .toString();
    }

    @Test
    void byDefault_noProfileNoConfigurationNoLayer_andImageVerifyIsToldSigningIsOff() {
        Template t = StackFixture.template(Map.of());
        t.resourceCountIs("AWS::Signer::SigningProfile", 0);
        t.resourceCountIs("AWS::ECR::SigningConfiguration", 0);
        t.resourceCountIs("AWS::Lambda::LayerVersion", 0);
        assertThat(verifyEnv(t, "SIGNING")).isEqualTo("\"off\"");
        assertThat(verifyEnv(t, "SIGNATURE_REQUIRED")).isEqualTo("\"[]\"");
        assertThat(t.toJSON().toString()).doesNotContain("signer:GetRevocationStatus");
    }

    @Test
    void
            signatureGateOn_imageVerifyIsScheduledHourly_toSettlePendingAndRecheckSigned_andOffHasNoSchedule()
                    throws Exception {
        String rule = "AWS::Events::Rule";
        Map<String, Object> hourly =
                Map.of(
                        "ScheduleExpression",
                        "rate(1 hour)",
                        "Description",
                        Match.stringLikeRegexp("image-verify settles PENDING.*"));
        assertThat(
                        StackFixture.template(Map.of())
                                .findResources(
                                        rule,
                                        Match.objectLike(
                                                Map.of("Properties", Match.objectLike(hourly)))))
                .isEmpty();

        Template t =
                StackFixture.template(
                        Map.of(
                                "signing",
                                "managed",
                                "signingTrustRoots",
                                rootsFile(),
                                "repositories",
                                List.of("wordpress", "mariadb")));

        var rules =
                t.findResources(
                        rule, Match.objectLike(Map.of("Properties", Match.objectLike(hourly))));
        assertThat(rules).hasSize(1);
        String target =
                Json.MAPPER
                        .valueToTree(rules.values().iterator().next())
                        .path("Properties")
                        .path("Targets")
                        .toString();
        String verifyAlias =
                t.findResources("AWS::Lambda::Alias").entrySet().stream()
                        .filter(
                                e ->
                                        Json.MAPPER
                                                .valueToTree(e.getValue())
                                                .toString()
                                                .contains("ImageVerify"))
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse("ImageVerify");
        assertThat(target).contains(verifyAlias);
        assertThat(verifyEnv(t, "MANAGED_REPOSITORIES")).isEqualTo("\"wordpress,mariadb\"");
        String verifyPolicy =
                String.valueOf(
                        t.findResources("AWS::IAM::Policy").entrySet().stream()
                                .filter(e -> e.getKey().contains("ImageVerify"))
                                .findFirst()
                                .orElseThrow()
                                .getValue());
        assertThat(verifyPolicy)
                .as("the schedule lists each repository's images")
                .contains("dynamodb:Query")
                .doesNotContain("dynamodb:Scan");
    }

    @Test
    void
            managed_createsTheNotationProfile_signsTheManagedRepositories_shipsTheRoots_andGrantsOnlyWhatTheGateCalls()
                    throws Exception {
        Template t =
                StackFixture.template(
                        Map.of(
                                "signing",
                                "managed",
                                "signingTrustRoots",
                                rootsFile(),
                                "repositories",
                                List.of("wordpress", "mariadb")));

        t.hasResourceProperties(
                "AWS::Signer::SigningProfile", Map.of("PlatformId", "Notation-OCI-SHA384-ECDSA"));
        t.hasResourceProperties(
                "AWS::ECR::SigningConfiguration",
                Match.objectLike(
                        Map.of(
                                "Rules",
                                List.of(
                                        Match.objectLike(
                                                Map.of(
                                                        "SigningProfileArn",
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Fn::GetAtt",
                                                                                Match.anyValue())),
                                                        "RepositoryFilters",
                                                                List.of(
                                                                        Map.of(
                                                                                "Filter",
                                                                                "wordpress",
                                                                                "FilterType",
                                                                                "WILDCARD_MATCH"),
                                                                        Map.of(
                                                                                "Filter",
                                                                                "mariadb",
                                                                                "FilterType",
                                                                                "WILDCARD_MATCH"))))))));
        t.resourceCountIs("AWS::Lambda::LayerVersion", 1);
        assertThat(verifyEnv(t, "SIGNING")).isEqualTo("\"managed\"");
        assertThat(verifyEnv(t, "SIGNATURE_REQUIRED")).contains("wordpress", "mariadb");
        assertThat(verifyEnv(t, "SIGNING_IDENTITIES")).contains("Fn::Join", "SigningProfile");
        assertThat(verifyEnv(t, "SIGNING_TRUST_ROOTS"))
                .isEqualTo("\"/opt/qm-signing/trust-roots.pem\"");

        String policies = Json.MAPPER.valueToTree(t.findResources("AWS::IAM::Policy")).toString();
        assertThat(policies.split("signer:GetRevocationStatus", -1))
                .hasSize(2); // one role: image-verify's
        assertThat(policies.split("ecr:DescribeImageSigningStatus", -1)).hasSize(2);
        assertThat(Json.MAPPER.valueToTree(t.findOutputs("SignatureRequired")).toString())
                .contains("[\\\"wordpress\\\",\\\"mariadb\\\"]");
    }

    @Test
    void
            signaturesCheckedWithoutRoots_orRequiredWithoutIdentities_areRefusedAtSynth_sayingWhatToDo()
                    throws Exception {
        assertThatThrownBy(() -> StackFixture.template(Map.of("signing", "managed")))
                .hasMessageContaining("signingTrustRoots")
                .hasMessageContaining("AWS Signer developer guide");
        assertThatThrownBy(
                        () ->
                                StackFixture.template(
                                        Map.of(
                                                "signatureRequired",
                                                List.of("wordpress"),
                                                "signingTrustRoots",
                                                rootsFile())))
                .hasMessageContaining(
                        "signingIdentities: signatureRequired is set without managed signing");
        assertThatThrownBy(() -> StackFixture.template(Map.of("signing", "always")))
                .hasMessageContaining("signing: must be off or managed");
        Path notCa = Files.createTempFile("qm-leaf", ".pem");
        Files.writeString(
                notCa, NotationSigner.pem(NotationSigner.chain("leaf").certificates().get(0)));
        assertThatThrownBy(
                        () ->
                                StackFixture.template(
                                        Map.of(
                                                "signing",
                                                "managed",
                                                "signingTrustRoots",
                                                notCa.toString())))
                .hasMessageContaining("is not a CA certificate");
    }

    @Test
    void x509Roots_shipInTheSameLayerAsTheirOwnFile_andImageVerifyIsToldBoth() throws Exception {
        Template t =
                StackFixture.template(
                        Map.of(
                                "signing",
                                "managed",
                                "signingTrustRoots",
                                rootsFile(),
                                "signingX509TrustRoots",
                                rootsFile(),
                                "signingIdentities",
                                List.of("x509.subject:CN=build-server,O=Example")));
        t.resourceCountIs("AWS::Lambda::LayerVersion", 1);
        assertThat(verifyEnv(t, "SIGNING_TRUST_ROOTS"))
                .isEqualTo("\"/opt/qm-signing/trust-roots.pem\"");
        assertThat(verifyEnv(t, "SIGNING_X509_TRUST_ROOTS"))
                .isEqualTo("\"/opt/qm-signing/x509-trust-roots.pem\"");

        Template signerOnly =
                StackFixture.template(
                        Map.of("signing", "managed", "signingTrustRoots", rootsFile()));
        assertThat(verifyEnv(signerOnly, "SIGNING_X509_TRUST_ROOTS")).isEqualTo("\"\"");

        // a team signing in CI with its own CA only: no AWS Signer root needed, none shipped
        Template ciOnly =
                StackFixture.template(
                        Map.of(
                                "signatureRequired",
                                List.of("wordpress"),
                                "signingX509TrustRoots",
                                rootsFile(),
                                "signingIdentities",
                                List.of("x509.subject:CN=build-server,O=Example")));
        assertThat(verifyEnv(ciOnly, "SIGNING_TRUST_ROOTS")).isEqualTo("\"\"");
        assertThat(verifyEnv(ciOnly, "SIGNING_X509_TRUST_ROOTS"))
                .isEqualTo("\"/opt/qm-signing/x509-trust-roots.pem\"");
        assertThat(ciOnly.toJSON().toString())
                .doesNotContain(
                        "signer:GetRevocationStatus"); // never called without AWS Signer roots
    }

    @Test
    void
            oneRootInBothSettings_orSubjectIdentitiesWithoutX509Roots_areRefusedAtSynth_sayingWhatToDo()
                    throws Exception {
        String same = rootsFile();
        assertThatThrownBy(
                        () ->
                                StackFixture.template(
                                        Map.of(
                                                "signing",
                                                "managed",
                                                "signingTrustRoots",
                                                same,
                                                "signingX509TrustRoots",
                                                same)))
                .hasMessageContaining("signingX509TrustRoots:")
                .hasMessageContaining("is also in signingTrustRoots")
                .hasMessageContaining(
                        "Keep AWS Signer's root in signingTrustRoots and your own CA in signingX509TrustRoots only");
        assertThatThrownBy(
                        () ->
                                StackFixture.template(
                                        Map.of(
                                                "signing",
                                                "managed",
                                                "signingTrustRoots",
                                                same,
                                                "signingIdentities",
                                                List.of("x509.subject:CN=build-server,O=Example"))))
                .hasMessageContaining(
                        "signingX509TrustRoots: signingIdentities names x509.subject identities")
                .hasMessageContaining("-c signingX509TrustRoots=path/to/your-ca.pem");
    }
}
