package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.HostDocument;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.EstateOptions;
import dev.quartermaster.contract.options.HostOptions;
import dev.quartermaster.contract.options.ReleaseOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The release switch: the release document (pull by digest, pin, compose up -V, prove, roll back by
 * itself) and its read-only check document, release-status on their SSM results, the hourly drift
 * check, and pulling the app's images added to the host policy (nothing else).
 */
public final class Releases extends Construct {
    public record Props(
            ReleaseOptions release,
            HostOptions hosts,
            EstateOptions estate,
            Repository repository,
            Bucket outputBucket,
            LogGroup commandLogs,
            ManagedPolicy hostPolicy,
            FunctionFactory functions) {}

    /**
     * How long release.sh lets one hook run (its QM_HOOK_TIMEOUT default): the document's timeout
     * grows by this for each hook set.
     */
    static final int HOOK_TIMEOUT_SECONDS = 300;

    private final ShellDocument releaseDocument;
    private final ShellDocument checkDocument;
    private final String imageUri;

    public Releases(Construct scope, String id, Props props) {
        super(scope, id);
        ReleaseOptions c = props.release();
        this.imageUri = imageUri(c);
        Map<String, String> site = site(c);
        // the hooks are fixed document content (never parameters), checked at synth by
        // ReleaseHooks; each may run up to the host's hook timeout
        Map<String, String> releaseSite = new java.util.LinkedHashMap<>(site);
        releaseSite.putAll(c.hooks().environment());
        this.releaseDocument =
                new ShellDocument(
                        this,
                        "ReleaseDocument",
                        HostDocument.RELEASE,
                        releaseSite,
                        900
                                + 2 * c.healthTimeoutSeconds()
                                + HOOK_TIMEOUT_SECONDS * c.hooks().count());
        this.checkDocument =
                new ShellDocument(this, "CheckDocument", HostDocument.RELEASE_CHECK, site, 3600);

        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.put(Setting.RELEASE_REPOSITORY, c.repository());
        settings.put(Setting.RELEASE_IMAGE_URI, imageUri);
        settings.put(Setting.RELEASE_DOCUMENT, releaseDocument.name());
        settings.put(Setting.RELEASE_CHECK_DOCUMENT, checkDocument.name());
        settings.put(Setting.HOSTS, props.hosts().json());
        settings.put(Setting.BACKUP_BUCKET, props.outputBucket().getBucketName());
        settings.put(Setting.COMMAND_LOG_GROUP, props.commandLogs().getLogGroupName());
        settings.put(Setting.REGISTRY_AUTH, "ecr");
        settings.put(Setting.PROTECT_GRACE_DAYS, Integer.toString(c.protectGraceDays()));

        QmFunction status = props.functions().create(this, Catalog.RELEASE_STATUS, settings);
        // the host's report is the command's output (these actions have no resource-level
        // permissions)
        status.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("ssm:ListCommands", "ssm:GetCommandInvocation"))
                                .resources(List.of("*"))
                                .build());
        Rule.Builder.create(this, "ReleaseStatusRule")
                .description("SSM results of Quartermaster's release and drift-check commands")
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of("aws.ssm"))
                                .detailType(
                                        List.of(
                                                "EC2 Command Invocation Status-change Notification"))
                                .detail(
                                        Map.of(
                                                "document-name",
                                                List.of(
                                                        releaseDocument.name(),
                                                        checkDocument.name())))
                                .build())
                .targets(List.of(status.target()))
                .build();

        QmFunction drift = props.functions().create(this, Catalog.RELEASE_DRIFT, settings);
        HostCommands.allowSend(
                drift, checkDocument, props.hosts().apps()); // only the read-only check document
        Rule.Builder.create(this, "DriftSchedule")
                .description(Catalog.RELEASE_DRIFT.description())
                .schedule(Schedule.rate(Duration.hours(1)))
                .targets(List.of(drift.target()))
                .build();

        // the release marks (qm-release-<digest>): both sweep them off what no release needs any
        // more, on the app's repository
        // only (DescribeImages lists them; BatchDeleteImage is what ECR calls untagging, and
        // ImageTags removes a tag only from
        // an image that keeps another). Putting a mark is the releasing operator's (bin/qm
        // release): no function does.
        for (QmFunction f : List.of(status, drift)) {
            f.function()
                    .addToRolePolicy(
                            PolicyStatement.Builder.create()
                                    .effect(Effect.ALLOW)
                                    .actions(List.of("ecr:DescribeImages", "ecr:BatchDeleteImage"))
                                    .resources(List.of(props.repository().getRepositoryArn()))
                                    .build());
        }

        // ECR's lifecycle policy at work (CloudTrail's PolicyExecutionEvent) in any managed
        // repository, to the guard
        QmFunction guard = props.functions().create(this, Catalog.LIFECYCLE_GUARD, settings);
        Rule.Builder.create(this, "LifecycleGuardRule")
                .description(Catalog.LIFECYCLE_GUARD.description())
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of("aws.ecr"))
                                .detailType(List.of("AWS Service Event via CloudTrail"))
                                .detail(
                                        Map.of(
                                                "eventName",
                                                List.of("PolicyExecutionEvent"),
                                                "serviceEventDetails",
                                                Map.of(
                                                        "repositoryName",
                                                        props.estate().repositories())))
                                .build())
                .targets(List.of(guard.target()))
                .build();

        // the host pulls the app's images (by digest) and nothing else
        props.hostPolicy()
                .addStatements(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("ecr:GetAuthorizationToken"))
                                .resources(List.of("*"))
                                .build(),
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(
                                        List.of(
                                                "ecr:BatchGetImage",
                                                "ecr:GetDownloadUrlForLayer",
                                                "ecr:BatchCheckLayerAvailability"))
                                .resources(List.of(props.repository().getRepositoryArn()))
                                .build());
        // base images through the pull-through cache: the first pull of an upstream image creates
        // its repository under the prefix
        List<String> cached =
                props.estate().pullThroughCache().stream()
                        .map(
                                rule ->
                                        "arn:"
                                                + Aws.PARTITION
                                                + ":ecr:"
                                                + Aws.REGION
                                                + ":"
                                                + Aws.ACCOUNT_ID
                                                + ":repository/"
                                                + rule.prefix()
                                                + "/*")
                        .toList();
        if (!cached.isEmpty()) {
            props.hostPolicy()
                    .addStatements(
                            PolicyStatement.Builder.create()
                                    .effect(Effect.ALLOW)
                                    .actions(
                                            List.of(
                                                    "ecr:BatchGetImage",
                                                    "ecr:GetDownloadUrlForLayer",
                                                    "ecr:BatchCheckLayerAvailability",
                                                    "ecr:BatchImportUpstreamImage",
                                                    "ecr:CreateRepository"))
                                    .resources(cached)
                                    .build());
        }
    }

    /**
     * The app's repository in this account's ECR: fixed in the documents, so no caller can point
     * the host (and its ECR token) elsewhere.
     */
    private static String imageUri(ReleaseOptions c) {
        return Aws.ACCOUNT_ID
                + ".dkr.ecr."
                + Aws.REGION
                + "."
                + Aws.URL_SUFFIX
                + "/"
                + c.repository();
    }

    /**
     * What the host-side scripts are told by the stack, never by the caller: where the app is and
     * how it is proven.
     */
    private static Map<String, String> site(ReleaseOptions c) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("QM_IMAGE_REPO", imageUri(c));
        m.put("QM_PROJECT_DIR", c.projectDir());
        m.put("QM_COMPOSE_FILE", c.composeFile());
        m.put("QM_SERVICE", c.service());
        m.put("QM_HEALTH_URL", c.healthUrl());
        m.put("QM_HEALTH_TIMEOUT", Integer.toString(c.healthTimeoutSeconds()));
        m.put("QM_VERSION_FILE", c.versionFile());
        m.put("QM_VERSION_REGEX", c.versionRegex());
        m.put("QM_CONTAINER_CLI", c.containerCli());
        m.put("QM_COMPOSE", c.composeCommand());
        return m;
    }

    public ShellDocument releaseDocument() {
        return releaseDocument;
    }

    public ShellDocument checkDocument() {
        return checkDocument;
    }

    public String imageUri() {
        return imageUri;
    }
}
