package dev.quartermaster.infra;

import dev.quartermaster.contract.options.Configuration;
import dev.quartermaster.contract.options.EstateOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ecr.CfnRegistryPolicy;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * One replication destination (a region, maybe another account): the managed repositories made
 * ahead with the source's settings (immutability, lifecycle rules, scan on push, encryption with a
 * key of this region, pull grants), so a replica never lands in a repository ECR made with
 * defaults; for another account, the registry policy that lets the home account replicate into it;
 * and the rule that forwards ECR's replication events to the home region's default bus, where
 * image-replication proves each digest arrived.
 */
public final class ReplicaStack extends Stack {
    public ReplicaStack(
            Construct scope, String id, Configuration config, EstateOptions.Destination d) {
        super(
                scope,
                id,
                StackProps.builder()
                        .description(
                                "Quartermaster replica in "
                                        + d.id()
                                        + ": repositories, "
                                        + (d.account() != null ? "registry policy, " : "")
                                        + "replication events to "
                                        + config.estate().homeRegion())
                        .env(
                                Environment.builder()
                                        .region(d.region())
                                        .account(
                                                d.account() != null
                                                        ? d.account()
                                                        : config.estate().homeAccount())
                                        .build())
                        .build());
        EstateOptions e = config.estate();
        IKey key = null;
        if (e.kms()) {
            key =
                    d.kmsKey() != null
                            ? software.amazon.awscdk.services.kms.Key.fromKeyArn(
                                    this, "GivenKey", d.kmsKey())
                            : RepositoryAccess.key(
                                    this,
                                    "RepositoryKey",
                                    e,
                                    "Quartermaster replicas' ECR repositories in " + d.region());
        }
        for (String name : config.repositories()) {
            RepositoryAccess.repository(
                    this,
                    "Repository" + QuartermasterStack.pascal(name),
                    name,
                    e,
                    config.lifecycle(),
                    key);
        }
        String home = e.homeAccount() != null ? e.homeAccount() : Aws.ACCOUNT_ID;
        if (d.account() != null) {
            // registry-wide in this account and region: it replaces any registry policy there
            // (README: cross-account steps).
            // Only the managed repositories (ECR's registry policy examples scope both actions by
            // repository ARN); this stack
            // makes them, so CreateRepository is granted only should one be deleted by hand.
            List<String> managed =
                    config.repositories().stream()
                            .map(
                                    n ->
                                            "arn:"
                                                    + Aws.PARTITION
                                                    + ":ecr:"
                                                    + d.region()
                                                    + ":"
                                                    + d.account()
                                                    + ":repository/"
                                                    + n)
                            .toList();
            CfnRegistryPolicy.Builder.create(this, "AllowReplicationFromHome")
                    .policyText(
                            Map.of(
                                    "Version",
                                    "2012-10-17",
                                    "Statement",
                                    List.of(
                                            Map.of(
                                                    "Sid",
                                                    "QuartermasterReplicationFrom" + home,
                                                    "Effect",
                                                    "Allow",
                                                    "Principal",
                                                    Map.of(
                                                            "AWS",
                                                            "arn:"
                                                                    + Aws.PARTITION
                                                                    + ":iam::"
                                                                    + home
                                                                    + ":root"),
                                                    "Action",
                                                    List.of(
                                                            "ecr:CreateRepository",
                                                            "ecr:ReplicateImage"),
                                                    "Resource",
                                                    managed))))
                    .build();
        }
        var homeBus =
                EventBus.fromEventBusArn(
                        this,
                        "HomeBus",
                        "arn:"
                                + Aws.PARTITION
                                + ":events:"
                                + e.homeRegion()
                                + ":"
                                + home
                                + ":event-bus/default");
        Rule.Builder.create(this, "ForwardReplicationEvents")
                .description("ECR's replication events, to Quartermaster in " + e.homeRegion())
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of("aws.ecr"))
                                .detailType(List.of("ECR Replication Action"))
                                .detail(Map.of("repository-name", config.repositories()))
                                .build())
                .targets(
                        List.of(
                                new software.amazon.awscdk.services.events.targets.EventBus(
                                        homeBus)))
                .build();
        CfnOutput.Builder.create(this, "ReplicaRegistry")
                .description("The replica registry")
                .value(
                        (d.account() != null ? d.account() : Aws.ACCOUNT_ID)
                                + ".dkr.ecr."
                                + d.region()
                                + "."
                                + Aws.URL_SUFFIX)
                .build();
    }
}
