package dev.quartermaster.infra;

import dev.quartermaster.contract.options.EstateOptions;
import dev.quartermaster.contract.options.LifecycleOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a repository and its replicas share: who may pull (accounts, an organization: exactly the
 * three read actions), and the customer KMS key (rotation on, usable only through ECR in its region
 * by this account and the pullers).
 */
final class RepositoryAccess {
    /** Exactly what pulling an image needs, nothing that writes or lists. */
    static final List<String> PULL_ACTIONS =
            List.of(
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability");

    private RepositoryAccess() {}

    /**
     * A managed repository as the home stack and every replica make it: immutable tags (but the
     * mutable filters), scan on push, kept on stack deletion, ECR's lifecycle text (protection
     * first), the key when not AES256, the pull grants.
     */
    static Repository repository(
            Construct scope,
            String id,
            String name,
            EstateOptions estate,
            LifecycleOptions lifecycle,
            software.amazon.awscdk.services.kms.IKey key) {
        Repository.Builder b =
                Repository.Builder.create(scope, id)
                        .repositoryName(name)
                        .imageScanOnPush(true)
                        .removalPolicy(RemovalPolicy.RETAIN);
        if (estate.mutableTags().isEmpty()) {
            b.imageTagMutability(software.amazon.awscdk.services.ecr.TagMutability.IMMUTABLE);
        } else {
            b.imageTagMutability(
                            software.amazon.awscdk.services.ecr.TagMutability
                                    .IMMUTABLE_WITH_EXCLUSION)
                    .imageTagMutabilityExclusionFilters(
                            estate.mutableTags().stream()
                                    .map(
                                            software.amazon.awscdk.services.ecr
                                                            .ImageTagMutabilityExclusionFilter
                                                    ::wildcard)
                                    .toList());
        }
        if (key != null) {
            b.encryption(software.amazon.awscdk.services.ecr.RepositoryEncryption.KMS)
                    .encryptionKey(key);
        }
        Repository repository = b.build();
        ((software.amazon.awscdk.services.ecr.CfnRepository) repository.getNode().getDefaultChild())
                .setLifecyclePolicy(
                        software.amazon.awscdk.services.ecr.CfnRepository.LifecyclePolicyProperty
                                .builder()
                                .lifecyclePolicyText(lifecycle.rules().policyText())
                                .build());
        grantPull(repository, estate);
        return repository;
    }

    /**
     * The repository policy of the pull accounts and organization (nothing when neither is set).
     */
    static void grantPull(Repository repository, EstateOptions e) {
        if (!e.pullAccounts().isEmpty()) {
            repository.addToResourcePolicy(
                    PolicyStatement.Builder.create()
                            .sid("QuartermasterPullAccounts")
                            .actions(PULL_ACTIONS)
                            .principals(
                                    e.pullAccounts().stream()
                                            .map(
                                                    a ->
                                                            (software.amazon.awscdk.services.iam
                                                                            .IPrincipal)
                                                                    new AccountPrincipal(a))
                                            .toList())
                            .build());
        }
        if (!e.pullOrganization().isEmpty()) {
            repository.addToResourcePolicy(
                    PolicyStatement.Builder.create()
                            .sid("QuartermasterPullOrganization")
                            .actions(PULL_ACTIONS)
                            .principals(List.of(new AnyPrincipal()))
                            .conditions(
                                    Map.of(
                                            "StringEquals",
                                            Map.of("aws:PrincipalOrgID", e.pullOrganization())))
                            .build());
            io.github.cdklabs.cdknag.NagSuppressions.addResourceSuppressions(
                    repository,
                    List.of(
                            io.github.cdklabs.cdknag.NagPackSuppression.builder()
                                    .id("AwsSolutions-ECR1")
                                    .reason(
                                            "The * principal is bound by aws:PrincipalOrgID to the organization pullOrganization names,"
                                                    + " and only to the three pull actions")
                                    .build()),
                    true);
        }
    }

    /**
     * A key for the repositories of one region: rotation on, used only via ECR there, by this
     * account and the pullers.
     */
    static Key key(Construct scope, String id, EstateOptions e, String description) {
        Key key =
                Key.Builder.create(scope, id)
                        .description(description)
                        .enableKeyRotation(true)
                        .removalPolicy(RemovalPolicy.RETAIN)
                        .build();
        String viaEcr = "ecr." + Aws.REGION + "." + Aws.URL_SUFFIX;
        key.addToResourcePolicy(
                PolicyStatement.Builder.create()
                        .sid("UseThroughEcrByThisAccount")
                        .principals(List.of(new AnyPrincipal()))
                        .actions(
                                List.of(
                                        "kms:Encrypt",
                                        "kms:Decrypt",
                                        "kms:ReEncrypt*",
                                        "kms:GenerateDataKey*",
                                        "kms:CreateGrant",
                                        "kms:DescribeKey"))
                        .resources(List.of("*"))
                        .conditions(
                                Map.of(
                                        "StringEquals",
                                        Map.of(
                                                "kms:ViaService",
                                                viaEcr,
                                                "kms:CallerAccount",
                                                Aws.ACCOUNT_ID)))
                        .build());
        List<String> pullers = new ArrayList<>(e.pullAccounts());
        if (!pullers.isEmpty()) {
            key.addToResourcePolicy(
                    PolicyStatement.Builder.create()
                            .sid("DecryptThroughEcrByPullAccounts")
                            .principals(List.of(new AnyPrincipal()))
                            .actions(List.of("kms:Decrypt", "kms:DescribeKey"))
                            .resources(List.of("*"))
                            .conditions(
                                    Map.of(
                                            "StringEquals",
                                            Map.of(
                                                    "kms:ViaService",
                                                    viaEcr,
                                                    "kms:CallerAccount",
                                                    pullers)))
                            .build());
        }
        if (!e.pullOrganization().isEmpty()) {
            key.addToResourcePolicy(
                    PolicyStatement.Builder.create()
                            .sid("DecryptThroughEcrByOrganization")
                            .principals(List.of(new AnyPrincipal()))
                            .actions(List.of("kms:Decrypt", "kms:DescribeKey"))
                            .resources(List.of("*"))
                            .conditions(
                                    Map.of(
                                            "StringEquals",
                                            Map.of(
                                                    "kms:ViaService",
                                                    viaEcr,
                                                    "aws:PrincipalOrgID",
                                                    e.pullOrganization())))
                            .build());
        }
        return key;
    }
}
