package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;
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
 * itself) and its read-only check document, release-status on their SSM results, the hourly drift check,
 * and pulling the app's images added to the host policy (nothing else).
 */
public final class Releases extends Construct {
    public record Props(Config config, Repository repository, Bucket outputBucket, LogGroup commandLogs, ManagedPolicy hostPolicy,
                        FunctionFactory functions) {
    }

    static final String DIGEST = "^sha256:[a-f0-9]{64}$";
    static final String OPTIONAL_DIGEST = "^(sha256:[a-f0-9]{64})?$";
    static final String VERSION = "^[0-9A-Za-z.+-]{1,64}$";
    static final String OPTIONAL_VERSION = "^([0-9A-Za-z.+-]{1,64})?$";

    private final ShellDocument releaseDocument;
    private final ShellDocument checkDocument;
    private final String imageUri;

    public Releases(Construct scope, String id, Props props) {
        super(scope, id);
        Config.Release c = props.config().release();
        this.imageUri = imageUri(c);
        ShellDocument.Props.Builder release = hostSide(ShellDocument.Props.builder().script("release.sh")
                .description("Quartermaster release: pull a digest, pin it in the compose project, recreate the app with fresh anonymous "
                        + "volumes, prove digest, health and version, roll back by itself on any failure")
                .param(new ShellDocument.Param("digest", "QM_DIGEST", DIGEST, null, "the digest to release"))
                .param(new ShellDocument.Param("expectedVersion", "QM_EXPECTED_VERSION", VERSION, null, "the version the ledger found inside it"))
                .param(new ShellDocument.Param("previousDigest", "QM_PREVIOUS_DIGEST", OPTIONAL_DIGEST, "", "the last good release (empty: read from the host)"))
                .param(new ShellDocument.Param("previousVersion", "QM_PREVIOUS_VERSION", OPTIONAL_VERSION, "", "its version"))
                .fixed("QM_MODE", "release").fixed("QM_REGISTRY_LOGIN", "ecr")
                .timeoutSeconds(900 + 2 * c.healthTimeoutSeconds()), c);
        this.releaseDocument = new ShellDocument(this, "ReleaseDocument", release.build());
        this.checkDocument = new ShellDocument(this, "CheckDocument", hostSide(ShellDocument.Props.builder().script("release.sh")
                .description("Quartermaster drift check: report which digest the app service runs (changes nothing)")
                .fixed("QM_MODE", "check"), c).build());

        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        settings.put(Setting.RELEASE_REPOSITORY, c.repository());
        settings.put(Setting.RELEASE_IMAGE_URI, imageUri);
        settings.put(Setting.RELEASE_DOCUMENT, releaseDocument.name());
        settings.put(Setting.RELEASE_CHECK_DOCUMENT, checkDocument.name());
        settings.put(Setting.HOST_TAG_KEY, props.config().hostTagKey());
        settings.put(Setting.HOST_TAG_VALUE, props.config().hostTagValue());
        settings.put(Setting.BACKUP_BUCKET, props.outputBucket().getBucketName());
        settings.put(Setting.COMMAND_LOG_GROUP, props.commandLogs().getLogGroupName());

        QmFunction status = props.functions().create(this, Catalog.RELEASE_STATUS, settings);
        // the host's report is the command's output (these actions have no resource-level permissions)
        status.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("ssm:ListCommands", "ssm:GetCommandInvocation")).resources(List.of("*")).build());
        Rule.Builder.create(this, "ReleaseStatusRule").description("SSM results of Quartermaster's release and drift-check commands")
                .eventPattern(EventPattern.builder().source(List.of("aws.ssm"))
                        .detailType(List.of("EC2 Command Invocation Status-change Notification"))
                        .detail(Map.of("document-name", List.of(releaseDocument.name(), checkDocument.name()))).build())
                .targets(List.of(status.target())).build();

        QmFunction drift = props.functions().create(this, Catalog.RELEASE_DRIFT, settings);
        DatabaseBackups.allowSend(drift, checkDocument, props.config()); // the drift check may send only the read-only check document
        Rule.Builder.create(this, "DriftSchedule").description(Catalog.RELEASE_DRIFT.description())
                .schedule(Schedule.rate(Duration.hours(1))).targets(List.of(drift.target())).build();

        // the host pulls the app's images (by digest) and nothing else
        props.hostPolicy().addStatements(
                PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(List.of("ecr:GetAuthorizationToken")).resources(List.of("*")).build(),
                PolicyStatement.Builder.create().effect(Effect.ALLOW)
                        .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"))
                        .resources(List.of(props.repository().getRepositoryArn())).build());
    }

    /** The app's repository in this account's ECR: fixed in the documents, so no caller can point the host (and its ECR token) elsewhere. */
    private static String imageUri(Config.Release c) {
        return Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX + "/" + c.repository();
    }

    /** What the host-side scripts are told by the stack, never by the caller: where the app is and how it is proven. */
    private static ShellDocument.Props.Builder hostSide(ShellDocument.Props.Builder b, Config.Release c) {
        return b.fixed("QM_IMAGE_REPO", imageUri(c)).fixed("QM_PROJECT_DIR", c.projectDir()).fixed("QM_COMPOSE_FILE", c.composeFile()).fixed("QM_SERVICE", c.service())
                .fixed("QM_HEALTH_URL", c.healthUrl()).fixed("QM_HEALTH_TIMEOUT", Integer.toString(c.healthTimeoutSeconds()))
                .fixed("QM_VERSION_FILE", c.versionFile()).fixed("QM_VERSION_REGEX", c.versionRegex())
                .fixed("QM_CONTAINER_CLI", c.containerCli()).fixed("QM_COMPOSE", c.composeCommand());
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
