package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.EstateOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecr.CfnPullThroughCacheRule;
import software.amazon.awscdk.services.ecr.CfnRegistryScanningConfiguration;
import software.amazon.awscdk.services.ecr.CfnReplicationConfiguration;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.CfnEventBusPolicy;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry beyond its repositories, all registry-wide (one of each per registry and region):
 * the replication configuration and its proof (image-replication: pushes, the destinations'
 * replication events forwarded here, a 15-minute sweep), the bus policy letting cross-account
 * destinations forward their events, enhanced scanning, and pull-through cache rules. Each part
 * exists only when its option is set.
 */
public final class RegistryEstate extends Construct {
    public record Props(
            EstateOptions estate,
            List<Repository> repositories,
            List<String> repositoryNames,
            FunctionFactory functions,
            software.amazon.awscdk.services.s3.Bucket archive,
            dev.quartermaster.contract.options.UpkeepOptions upkeep) {}

    private QmFunction replication;

    public RegistryEstate(Construct scope, String id, Props props) {
        super(scope, id);
        EstateOptions e = props.estate();
        if (!e.replication().isEmpty()) {
            replication(props);
            backfill(props);
        }
        if (e.enhanced()) {
            enhancedScanning(props);
        }
        for (EstateOptions.CacheRule c : e.pullThroughCache()) {
            CfnPullThroughCacheRule.Builder b =
                    CfnPullThroughCacheRule.Builder.create(
                                    this,
                                    "PullThroughCache" + QuartermasterStack.pascal(c.prefix()))
                            .ecrRepositoryPrefix(c.prefix())
                            .upstreamRegistryUrl(c.upstreamUrl())
                            .upstreamRegistry(c.upstreamRegistry());
            if (c.credentialArn() != null) {
                b.credentialArn(c.credentialArn());
            }
            b.build();
        }
    }

    private void replication(Props props) {
        EstateOptions e = props.estate();
        List<Object> destinations = new ArrayList<>();
        for (EstateOptions.Destination d : e.replication()) {
            destinations.add(
                    CfnReplicationConfiguration.ReplicationDestinationProperty.builder()
                            .region(d.region())
                            .registryId(d.account() == null ? Aws.ACCOUNT_ID : d.account())
                            .build());
        }
        // ECR's filters are prefixes: a managed name also replicates repositories whose names start
        // with it (say so in the README)
        List<Object> filters =
                props.repositoryNames().stream()
                        .map(
                                n ->
                                        (Object)
                                                CfnReplicationConfiguration.RepositoryFilterProperty
                                                        .builder()
                                                        .filter(n)
                                                        .filterType("PREFIX_MATCH")
                                                        .build())
                        .toList();
        CfnReplicationConfiguration.Builder.create(this, "Replication")
                .replicationConfiguration(
                        CfnReplicationConfiguration.ReplicationConfigurationProperty.builder()
                                .rules(
                                        List.of(
                                                CfnReplicationConfiguration.ReplicationRuleProperty
                                                        .builder()
                                                        .destinations(destinations)
                                                        .repositoryFilters(filters)
                                                        .build()))
                                .build())
                .build();

        Map<Setting, String> env = new HashMap<>();
        env.put(Setting.REPLICATION_DESTINATIONS, destinationsJson(e));
        env.put(
                Setting.REPLICATION_DEADLINE_MINUTES,
                Integer.toString(e.replicationDeadlineMinutes()));
        env.put(Setting.REPLICATION_REPOSITORIES, Json.of(props.repositoryNames()));
        replication = props.functions().create(this, Catalog.IMAGE_REPLICATION, Map.copyOf(env));
        replication
                .function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .actions(List.of("ecr:DescribeImageReplicationStatus"))
                                .resources(
                                        props.repositories().stream()
                                                .map(Repository::getRepositoryArn)
                                                .toList())
                                .build());
        Map<String, Object> pushes = new HashMap<>();
        pushes.put("repository-name", props.repositoryNames());
        pushes.put("action-type", List.of("PUSH"));
        pushes.put("result", List.of("SUCCESS"));
        rule(
                "PushRule",
                "Successful pushes, awaited in every replication destination",
                EventPattern.builder()
                        .source(List.of("aws.ecr"))
                        .detailType(List.of("ECR Image Action"))
                        .detail(pushes)
                        .build());
        // emitted in each destination and forwarded here by its stack (account and region are the
        // destination's)
        rule(
                "ArrivalRule",
                "ECR's replication events from the destinations, forwarded to this bus",
                EventPattern.builder()
                        .source(List.of("aws.ecr"))
                        .detailType(List.of("ECR Replication Action"))
                        .detail(Map.of("repository-name", props.repositoryNames()))
                        .build());
        Rule.Builder.create(this, "SweepRule")
                .description("Every 15 minutes: replicas past their deadline, asked of ECR")
                .schedule(Schedule.rate(Duration.minutes(15)))
                .targets(List.of(replication.target()))
                .build();
        List<String> crossAccount =
                e.replication().stream()
                        .map(EstateOptions.Destination::account)
                        .filter(java.util.Objects::nonNull)
                        .distinct()
                        .toList();
        for (String account : crossAccount) {
            CfnEventBusPolicy.Builder.create(this, "ForwardFrom" + account)
                    .eventBusName("default")
                    .statementId("quartermaster-replicas-" + account)
                    .statement(
                            Map.of(
                                    "Effect",
                                    "Allow",
                                    "Principal",
                                    Map.of(
                                            "AWS",
                                            "arn:" + Aws.PARTITION + ":iam::" + account + ":root"),
                                    "Action",
                                    "events:PutEvents",
                                    "Resource",
                                    "arn:"
                                            + Aws.PARTITION
                                            + ":events:"
                                            + Aws.REGION
                                            + ":"
                                            + Aws.ACCOUNT_ID
                                            + ":event-bus/default",
                                    "Condition",
                                    Map.of(
                                            "StringEquals",
                                            Map.of(
                                                    "events:source",
                                                    "aws.ecr",
                                                    "events:detail-type",
                                                    "ECR Replication Action"))))
                    .build();
        }
    }

    /**
     * replication-backfill and its state machine (started by bin/qm replicate backfill --aws): it
     * reads the managed repositories here and pushes by digest into the same repositories of each
     * destination; it writes its run's files in the archive bucket. A destination in another
     * account must let this role push there (its repository policy).
     */
    private void backfill(Props props) {
        EstateOptions e = props.estate();
        Map<Setting, String> env = new HashMap<>();
        env.put(
                Setting.REGISTRY_URL,
                "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        env.put(Setting.REGISTRY_AUTH, "ecr");
        env.put(Setting.ARCHIVE_BUCKET, props.archive().getBucketName());
        env.put(Setting.REPLICATION_DESTINATIONS, destinationsJson(e));
        env.put(
                Setting.REPLICATION_DEADLINE_MINUTES,
                Integer.toString(e.replicationDeadlineMinutes()));
        env.put(Setting.REPLICATION_REPOSITORIES, Json.of(props.repositoryNames()));
        QmFunction fn =
                props.functions().create(this, Catalog.REPLICATION_BACKFILL, Map.copyOf(env));
        props.repositories()
                .forEach(
                        r -> {
                            r.grantPull(fn.function());
                            r.grant(fn.function(), "ecr:DescribeImages");
                        });
        List<String> destinationRepositories = new ArrayList<>();
        for (EstateOptions.Destination d : e.replication()) {
            for (String name : props.repositoryNames()) {
                destinationRepositories.add(
                        "arn:"
                                + Aws.PARTITION
                                + ":ecr:"
                                + d.region()
                                + ":"
                                + (d.account() == null ? Aws.ACCOUNT_ID : d.account())
                                + ":repository/"
                                + name);
            }
        }
        // what a push by digest asks of the destination's registry API: the manifest's presence,
        // the layers' upload, the manifest
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .actions(
                                        List.of(
                                                "ecr:BatchGetImage",
                                                "ecr:BatchCheckLayerAvailability",
                                                "ecr:InitiateLayerUpload",
                                                "ecr:UploadLayerPart",
                                                "ecr:CompleteLayerUpload",
                                                "ecr:PutImage"))
                                .resources(destinationRepositories)
                                .build());
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .actions(List.of("s3:GetObject", "s3:PutObject"))
                                .resources(
                                        List.of(
                                                props.archive()
                                                        .arnForObjects(
                                                                dev.quartermaster.contract.Upkeep
                                                                                .PREFIX
                                                                        + dev.quartermaster.contract
                                                                                .Upkeep
                                                                                .REPLICATION_BACKFILL
                                                                                .jobName()
                                                                        + "/*")))
                                .build());
        fn.allowMissingKeys(props.archive());
        new UpkeepStateMachine(
                this,
                "Backfill",
                new UpkeepStateMachine.Props(
                        dev.quartermaster.contract.Upkeep.REPLICATION_BACKFILL,
                        fn,
                        props.archive(),
                        props.upkeep().maxConcurrency(),
                        props.upkeep().toleratedFailurePercentage(),
                        props.functions().deadLetters(),
                        props.functions().alerts()));
    }

    /**
     * Amazon Inspector scans the managed repositories on push (continuously where the filters say),
     * findings go to image-scan.
     */
    private void enhancedScanning(Props props) {
        List<Object> rules = new ArrayList<>();
        rules.add(
                CfnRegistryScanningConfiguration.ScanningRuleProperty.builder()
                        .scanFrequency("SCAN_ON_PUSH")
                        .repositoryFilters(
                                props.repositoryNames().stream()
                                        .map(
                                                n ->
                                                        (Object)
                                                                CfnRegistryScanningConfiguration
                                                                        .RepositoryFilterProperty
                                                                        .builder()
                                                                        .filter(n)
                                                                        .filterType("WILDCARD")
                                                                        .build())
                                        .toList())
                        .build());
        if (!props.estate().continuousScanFilters().isEmpty()) {
            rules.add(
                    CfnRegistryScanningConfiguration.ScanningRuleProperty.builder()
                            .scanFrequency("CONTINUOUS_SCAN")
                            .repositoryFilters(
                                    props.estate().continuousScanFilters().stream()
                                            .map(
                                                    n ->
                                                            (Object)
                                                                    CfnRegistryScanningConfiguration
                                                                            .RepositoryFilterProperty
                                                                            .builder()
                                                                            .filter(n)
                                                                            .filterType("WILDCARD")
                                                                            .build())
                                            .toList())
                            .build());
        }
        CfnRegistryScanningConfiguration.Builder.create(this, "Scanning")
                .scanType("ENHANCED")
                .rules(rules)
                .build();
    }

    static String destinationsJson(EstateOptions e) {
        List<Map<String, String>> list =
                e.replication().stream()
                        .map(
                                d ->
                                        Map.of(
                                                "region",
                                                d.region(),
                                                "account",
                                                d.account() == null ? Aws.ACCOUNT_ID : d.account()))
                        .toList();
        return Json.of(list);
    }

    private void rule(String id, String description, EventPattern pattern) {
        Rule.Builder.create(this, id)
                .description(description)
                .eventPattern(pattern)
                .targets(List.of(replication.target()))
                .build();
    }
}
