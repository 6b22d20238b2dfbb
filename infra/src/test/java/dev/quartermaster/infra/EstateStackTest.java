package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry estate, option by option: what each puts in the home stack and in each destination's
 * stack.
 */
class EstateStackTest {
    static final Map<String, Object> ALL =
            Map.of(
                    "replication",
                    "[{\"region\":\"eu-central-1\"},{\"region\":\"eu-west-1\",\"account\":\"444455556666\"}]",
                    "homeRegion",
                    "us-east-1",
                    "homeAccount",
                    "123456789012",
                    "repositoryEncryption",
                    "KMS",
                    "pullAccounts",
                    "[\"111122223333\"]",
                    "pullOrganization",
                    "o-abcdef1234",
                    "scanning",
                    "ENHANCED",
                    "continuousScanFilters",
                    "[\"wordpress\"]",
                    "pullThroughCache",
                    "[{\"prefix\":\"docker-hub\",\"upstream\":\"docker-hub\",\"credentialArn\":"
                            + "\"arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf\"},"
                            + "{\"prefix\":\"ecr-public\",\"upstream\":\"ecr-public\"}]");

    static String json(Object o) throws Exception {
        return Json.MAPPER.writeValueAsString(o);
    }

    @Test
    void theDefaultStackHasNoneOfIt() {
        Template t = StackFixture.template(Map.of());
        for (String type :
                List.of(
                        "AWS::ECR::ReplicationConfiguration",
                        "AWS::ECR::RegistryScanningConfiguration",
                        "AWS::ECR::PullThroughCacheRule",
                        "AWS::Events::EventBusPolicy")) {
            assertThat(t.findResources(type)).as(type).isEmpty();
        }
        assertThat(
                        t.findResources(
                                "AWS::KMS::Key",
                                Match.objectLike(
                                        Map.of(
                                                "Properties",
                                                Match.objectLike(
                                                        Map.of(
                                                                "Description",
                                                                "Quartermaster's ECR repositories"))))))
                .isEmpty();
        t.hasResourceProperties(
                "AWS::ECR::Repository",
                Match.objectLike(
                        Map.of(
                                "RepositoryPolicyText",
                                Match.absent(),
                                "EncryptionConfiguration",
                                Match.absent())));
    }

    @Test
    void everyOptionOn_homeStack() throws Exception {
        Template t = StackFixture.template(ALL);
        String body = json(t.toJSON());
        // replication: both destinations, the managed repository as a prefix filter, this account
        // by token
        t.hasResourceProperties(
                "AWS::ECR::ReplicationConfiguration",
                Map.of(
                        "ReplicationConfiguration",
                        Map.of(
                                "Rules",
                                List.of(
                                        Map.of(
                                                "Destinations",
                                                        List.of(
                                                                Map.of(
                                                                        "Region",
                                                                        "eu-central-1",
                                                                        "RegistryId",
                                                                        Map.of(
                                                                                "Ref",
                                                                                "AWS::AccountId")),
                                                                Map.of(
                                                                        "Region",
                                                                        "eu-west-1",
                                                                        "RegistryId",
                                                                        "444455556666")),
                                                "RepositoryFilters",
                                                        List.of(
                                                                Map.of(
                                                                        "Filter",
                                                                        "wordpress",
                                                                        "FilterType",
                                                                        "PREFIX_MATCH")))))));
        // image-replication: pushes, the forwarded replication events, a sweep; it may read
        // replication status of the managed repos only
        t.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(
                        Map.of(
                                "EventPattern",
                                Map.of(
                                        "source",
                                        List.of("aws.ecr"),
                                        "detail-type",
                                        List.of("ECR Replication Action"),
                                        "detail",
                                        Map.of("repository-name", List.of("wordpress"))))));
        t.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(Map.of("ScheduleExpression", "rate(15 minutes)")));
        assertThat(body).contains("ecr:DescribeImageReplicationStatus");
        t.hasResourceProperties(
                "AWS::Lambda::Function",
                Match.objectLike(
                        Map.of(
                                "Environment",
                                Map.of(
                                        "Variables",
                                        Match.objectLike(
                                                Map.of(
                                                        "REPLICATION_DEADLINE_MINUTES",
                                                        "60",
                                                        "REPLICATION_REPOSITORIES",
                                                        "[\"wordpress\"]"))))));
        // the cross-account destination may forward its replication events to the default bus, and
        // nothing else
        t.hasResourceProperties(
                "AWS::Events::EventBusPolicy",
                Match.objectLike(
                        Map.of(
                                "Statement",
                                Match.objectLike(
                                        Map.of(
                                                "Action",
                                                "events:PutEvents",
                                                "Principal",
                                                Map.of("AWS", Match.anyValue()),
                                                "Condition",
                                                Map.of(
                                                        "StringEquals",
                                                        Map.of(
                                                                "events:source",
                                                                "aws.ecr",
                                                                "events:detail-type",
                                                                "ECR Replication Action")))))));
        assertThat(t.findResources("AWS::Events::EventBusPolicy")).hasSize(1);
        // pull: exactly the three read actions, for the accounts and the organization
        t.hasResourceProperties(
                "AWS::ECR::Repository",
                Match.objectLike(
                        Map.of(
                                "RepositoryPolicyText",
                                Match.objectLike(
                                        Map.of(
                                                "Statement",
                                                Match.arrayWith(
                                                        List.of(
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Sid",
                                                                                "QuartermasterPullAccounts",
                                                                                "Action",
                                                                                RepositoryAccess
                                                                                        .PULL_ACTIONS)),
                                                                Match.objectLike(
                                                                        Map.of(
                                                                                "Sid",
                                                                                "QuartermasterPullOrganization",
                                                                                "Principal",
                                                                                Map.of("AWS", "*"),
                                                                                "Condition",
                                                                                Map.of(
                                                                                        "StringEquals",
                                                                                        Map.of(
                                                                                                "aws:PrincipalOrgID",
                                                                                                "o-abcdef1234")))))))))));
        // KMS: a key with rotation, used only through ECR in this region
        t.hasResourceProperties(
                "AWS::KMS::Key", Match.objectLike(Map.of("EnableKeyRotation", true)));
        assertThat(body).contains("kms:ViaService").contains("kms:CallerAccount");
        t.hasResourceProperties(
                "AWS::ECR::Repository",
                Match.objectLike(
                        Map.of(
                                "EncryptionConfiguration",
                                Match.objectLike(Map.of("EncryptionType", "KMS")))));
        // enhanced scanning on push, continuous for the filters, and Inspector's events to
        // image-scan
        t.hasResourceProperties(
                "AWS::ECR::RegistryScanningConfiguration",
                Map.of(
                        "ScanType",
                        "ENHANCED",
                        "Rules",
                        List.of(
                                Map.of(
                                        "ScanFrequency",
                                        "SCAN_ON_PUSH",
                                        "RepositoryFilters",
                                        List.of(
                                                Map.of(
                                                        "Filter",
                                                        "wordpress",
                                                        "FilterType",
                                                        "WILDCARD"))),
                                Map.of(
                                        "ScanFrequency",
                                        "CONTINUOUS_SCAN",
                                        "RepositoryFilters",
                                        List.of(
                                                Map.of(
                                                        "Filter",
                                                        "wordpress",
                                                        "FilterType",
                                                        "WILDCARD"))))));
        t.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(
                        Map.of(
                                "EventPattern",
                                Match.objectLike(
                                        Map.of(
                                                "source",
                                                List.of("aws.inspector2"),
                                                "detail-type",
                                                List.of("Inspector2 Finding"),
                                                // a delegated administrator's bus carries its
                                                // members' findings too: only this account's
                                                "detail",
                                                Match.objectLike(
                                                        Map.of(
                                                                "awsAccountId",
                                                                List.of(
                                                                        Map.of(
                                                                                "Ref",
                                                                                "AWS::AccountId")))))))));
        t.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(
                        Map.of(
                                "EventPattern",
                                Match.objectLike(
                                        Map.of(
                                                "source",
                                                List.of("aws.inspector2"),
                                                "detail-type",
                                                List.of("Inspector2 Scan"))))));
        // pull-through cache, and the host may pull (and import) only under those prefixes
        t.hasResourceProperties(
                "AWS::ECR::PullThroughCacheRule",
                Map.of(
                        "EcrRepositoryPrefix",
                        "docker-hub",
                        "UpstreamRegistryUrl",
                        "registry-1.docker.io",
                        "UpstreamRegistry",
                        "docker-hub",
                        "CredentialArn",
                        "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"));
        t.hasResourceProperties(
                "AWS::ECR::PullThroughCacheRule",
                Map.of(
                        "EcrRepositoryPrefix",
                        "ecr-public",
                        "UpstreamRegistryUrl",
                        "public.ecr.aws",
                        "UpstreamRegistry",
                        "ecr-public"));
        assertThat(body)
                .contains("ecr:BatchImportUpstreamImage")
                .contains(":repository/docker-hub/*");
    }

    @Test
    void everyOptionOn_eachDestinationHasItsStack() throws Exception {
        App app = new App();
        StackConfig config = StackConfig.from(ALL);
        new QuartermasterStack(
                app, "Quartermaster", StackProps.builder().build(), config, StackFixture::code);
        ReplicaStack r1 =
                new ReplicaStack(
                        app,
                        "R1",
                        config.options(),
                        config.options().estate().replication().get(0));
        ReplicaStack r2 =
                new ReplicaStack(
                        app,
                        "R2",
                        config.options(),
                        config.options().estate().replication().get(1));
        Template sameAccount = Template.fromStack(r1);
        Template other = Template.fromStack(r2);
        // the repository made ahead with the source's settings, a key of that region
        sameAccount.hasResourceProperties(
                "AWS::ECR::Repository",
                Match.objectLike(
                        Map.of(
                                "RepositoryName",
                                "wordpress",
                                "ImageTagMutability",
                                "IMMUTABLE",
                                "ImageScanningConfiguration",
                                Map.of("ScanOnPush", true),
                                "LifecyclePolicy",
                                Match.objectLike(
                                        Map.of(
                                                "LifecyclePolicyText",
                                                config.options().lifecycle().rules().policyText())),
                                "EncryptionConfiguration",
                                Match.objectLike(Map.of("EncryptionType", "KMS")))));
        sameAccount.hasResourceProperties(
                "AWS::KMS::Key", Match.objectLike(Map.of("EnableKeyRotation", true)));
        assertThat(sameAccount.findResources("AWS::ECR::RegistryPolicy"))
                .as("same account: no registry policy needed")
                .isEmpty();
        // its replication events go to the home region's default bus
        sameAccount.hasResourceProperties(
                "AWS::Events::Rule",
                Match.objectLike(
                        Map.of(
                                "EventPattern",
                                Map.of(
                                        "source",
                                        List.of("aws.ecr"),
                                        "detail-type",
                                        List.of("ECR Replication Action"),
                                        "detail",
                                        Map.of("repository-name", List.of("wordpress"))))));
        assertThat(json(sameAccount.toJSON()))
                .contains(":events:us-east-1:123456789012:event-bus/default");
        // another account: the registry policy lets the home account replicate, nothing more
        other.hasResourceProperties(
                "AWS::ECR::RegistryPolicy",
                Match.objectLike(
                        Map.of(
                                "PolicyText",
                                Match.objectLike(
                                        Map.of(
                                                "Statement",
                                                List.of(
                                                        Match.objectLike(
                                                                Map.of(
                                                                        "Action",
                                                                        List.of(
                                                                                "ecr:CreateRepository",
                                                                                "ecr:ReplicateImage"),
                                                                        "Resource",
                                                                        Match.anyValue()))))))));
        assertThat(json(other.toJSON()))
                .contains("iam::123456789012:root")
                .contains(":ecr:eu-west-1:444455556666:repository/wordpress")
                .doesNotContain("repository/*");
    }

    @Test
    void crossAccountDestination_registryPolicyGrantsOnlyTheManagedRepositories() throws Exception {
        Map<String, Object> context = new HashMap<>(ALL);
        context.put("repositories", "wordpress,team/mariadb");
        App app = new App();
        StackConfig config = StackConfig.from(context);
        Template other =
                Template.fromStack(
                        new ReplicaStack(
                                app,
                                "R2",
                                config.options(),
                                config.options().estate().replication().get(1)));

        var policies = other.findResources("AWS::ECR::RegistryPolicy");
        assertThat(policies).hasSize(1);
        var statement =
                Json.MAPPER
                        .valueToTree(policies)
                        .elements()
                        .next()
                        .path("Properties")
                        .path("PolicyText")
                        .path("Statement")
                        .get(0);
        assertThat(statement.path("Action").toString())
                .isEqualTo("[\"ecr:CreateRepository\",\"ecr:ReplicateImage\"]");
        assertThat(json(statement.path("Resource")))
                .isEqualTo(
                        json(
                                List.of(
                                        Map.of(
                                                "Fn::Join",
                                                List.of(
                                                        "",
                                                        List.of(
                                                                "arn:",
                                                                Map.of("Ref", "AWS::Partition"),
                                                                ":ecr:eu-west-1:444455556666:repository/wordpress"))),
                                        Map.of(
                                                "Fn::Join",
                                                List.of(
                                                        "",
                                                        List.of(
                                                                "arn:",
                                                                Map.of("Ref", "AWS::Partition"),
                                                                ":ecr:eu-west-1:444455556666:repository/team/mariadb"))))));
    }

    @Test
    void badOptionsAreRefusedSayingHowToFixThem() {
        Map<String, Object> base = Map.of("homeRegion", "us-east-1");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(base, "replication", "[{\"region\":\"mars-1\"}]")))
                .hasMessageContaining("not an AWS region");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(base, "replication", "[{\"region\":\"us-east-1\"}]")))
                .hasMessageContaining("own region");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        Map.<String, Object>of(
                                                "replication", "[{\"region\":\"eu-central-1\"}]"),
                                        name -> null))
                .hasMessageContaining("home region is unknown");
        assertThat(
                        StackConfig.from(
                                        Map.<String, Object>of(
                                                "replication", "[{\"region\":\"eu-central-1\"}]"),
                                        Map.of("CDK_DEFAULT_REGION", "us-west-2")::get)
                                .options()
                                .estate()
                                .homeRegion())
                .as("cdk's environment names it")
                .isEqualTo("us-west-2");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(
                                                with(
                                                        base,
                                                        "replication",
                                                        "[{\"region\":\"eu-central-1\"}]"),
                                                "registryManagedElsewhere",
                                                "replication")))
                .hasMessageContaining("another stack owns it");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(
                                                base,
                                                "replication",
                                                "[{\"region\":\"eu-central-1\",\"account\":\"444455556666\"}]"),
                                        n -> null))
                .hasMessageContaining("-c homeAccount=");
        assertThatThrownBy(() -> StackConfig.from(with(base, "pullAccounts", "12345")))
                .hasMessageContaining("12-digit");
        assertThatThrownBy(() -> StackConfig.from(with(base, "pullOrganization", "org-1")))
                .hasMessageContaining("Organizations id");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(
                                                base,
                                                "repositoryEncryption",
                                                "arn:aws:kms:eu-west-1:123456789012:key/abc")))
                .hasMessageContaining("its own region");
        assertThatThrownBy(() -> StackConfig.from(with(base, "scanning", "FULL")))
                .hasMessageContaining("BASIC");
        assertThatThrownBy(() -> StackConfig.from(with(base, "continuousScanFilters", "wordpress")))
                .hasMessageContaining("scanning=ENHANCED");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(
                                                base,
                                                "pullThroughCache",
                                                "[{\"prefix\":\"hub\",\"upstream\":\"docker-hub\"}]")))
                .hasMessageContaining("ecr-pullthroughcache/hub");
        assertThatThrownBy(
                        () ->
                                StackConfig.from(
                                        with(
                                                base,
                                                "pullThroughCache",
                                                "[{\"prefix\":\"x1\",\"upstream\":\"gcr\"}]")))
                .hasMessageContaining("must be one of");
    }

    @Test
    void aRepositorysEncryptionCannotChangeOnceCreated() {
        StackConfig kms = StackConfig.from(with(Map.of(), "repositoryEncryption", "KMS"));
        assertThat(
                        StackConfig.encryptionChanges(kms.options(), Map.of("wordpress", "AES256"))
                                .get(0))
                .contains("wordpress was created with AES256")
                .contains("cannot change")
                .contains("new name");
        assertThat(StackConfig.encryptionChanges(kms.options(), Map.of("wordpress", "KMS")))
                .isEmpty();
        assertThat(StackConfig.encryptionChanges(kms.options(), Map.of()))
                .as("nothing recorded: a new repository")
                .isEmpty();
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
