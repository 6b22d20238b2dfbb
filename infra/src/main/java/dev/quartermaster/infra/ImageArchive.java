package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.options.ArchiveOptions;
import dev.quartermaster.contract.options.UpkeepOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The image archive: image-archive (a third target of the push rule, and the daily reconcile), the
 * weekly archive-scrub and archive-prune, each granted only what it uses on the archive bucket
 * (made by the stack) and the managed repositories. The reconcile, the scrub and the prune run as
 * state machines with a Distributed Map each ({@link UpkeepStateMachine}), their schedules start
 * them.
 */
public final class ImageArchive extends Construct {
    /**
     * Daily reconcile, then weekly scrub and prune, out of the backup's hours (each starts its
     * upkeep state machine).
     */
    static final String RECONCILE = Upkeep.ARCHIVE_RECONCILE.schedule();

    static final String SCRUB = Upkeep.ARCHIVE_SCRUB.schedule();
    static final String PRUNE = Upkeep.ARCHIVE_PRUNE.schedule();

    public record Props(
            Bucket bucket,
            List<Repository> repositories,
            List<String> repositoryNames,
            ArchiveOptions options,
            UpkeepOptions upkeep,
            FunctionFactory functions) {}

    public ImageArchive(Construct scope, String id, Props props) {
        super(scope, id);
        Bucket bucket = props.bucket();
        Map<Setting, String> archiveSettings = new HashMap<>();
        archiveSettings.put(Setting.ARCHIVE_BUCKET, bucket.getBucketName());
        archiveSettings.put(
                Setting.REGISTRY_URL,
                "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        archiveSettings.put(Setting.REGISTRY_AUTH, "ecr");
        archiveSettings.put(
                Setting.MANAGED_REPOSITORIES, String.join(",", props.repositoryNames()));
        QmFunction archive = props.functions().create(this, Catalog.IMAGE_ARCHIVE, archiveSettings);
        props.repositories()
                .forEach(
                        r -> {
                            r.grantPull(archive.function());
                            r.grant(archive.function(), "ecr:DescribeImages");
                        });
        // layout files and blobs: look up, read back, write (single and multipart); never delete
        archive.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(
                                        List.of(
                                                "s3:GetObject",
                                                "s3:PutObject",
                                                "s3:AbortMultipartUpload"))
                                .resources(
                                        List.of(
                                                bucket.arnForObjects("blobs/*"),
                                                bucket.arnForObjects("index.json"),
                                                bucket.arnForObjects("oci-layout")))
                                .build());
        archive.allowMissingKeys(bucket);
        Map<String, Object> detail = new HashMap<>();
        detail.put("repository-name", props.repositoryNames());
        detail.put("action-type", List.of("PUSH"));
        detail.put("result", List.of("SUCCESS"));
        Rule.Builder.create(this, "ImageArchiveRule")
                .description("Successful pushes, to the image archive")
                .eventPattern(
                        EventPattern.builder()
                                .source(List.of("aws.ecr"))
                                .detailType(List.of("ECR Image Action"))
                                .detail(detail)
                                .build())
                .targets(List.of(archive.target()))
                .build();
        upkeep("ReconcileSchedule", Upkeep.ARCHIVE_RECONCILE, archive, props);

        QmFunction scrub =
                props.functions()
                        .create(
                                this,
                                Catalog.ARCHIVE_SCRUB,
                                Map.of(
                                        Setting.ARCHIVE_BUCKET, bucket.getBucketName(),
                                        Setting.ARCHIVE_SCRUB_PERCENT,
                                                Integer.toString(props.options().scrubPercent())));
        readArchive(scrub, bucket);
        // a blob that no longer hashes to its name is moved to quarantine/ (copy, then delete the
        // original)
        scrub.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:DeleteObject"))
                                .resources(List.of(bucket.arnForObjects("blobs/*")))
                                .build());
        scrub.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject"))
                                .resources(
                                        List.of(
                                                bucket.arnForObjects("quarantine/*"),
                                                bucket.arnForObjects("index.json")))
                                .build());
        // a redriven batch asks whether a blob it cannot find was quarantined by its first attempt
        // (a HEAD: no body read)
        scrub.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject"))
                                .resources(List.of(bucket.arnForObjects("quarantine/*")))
                                .build());
        upkeep("ScrubSchedule", Upkeep.ARCHIVE_SCRUB, scrub, props);

        QmFunction prune =
                props.functions()
                        .create(
                                this,
                                Catalog.ARCHIVE_PRUNE,
                                Map.of(
                                        Setting.ARCHIVE_BUCKET, bucket.getBucketName(),
                                        Setting.ARCHIVE_RETENTION_DAYS,
                                                Integer.toString(props.options().retentionDays()),
                                        Setting.ARCHIVE_GRACE_HOURS,
                                                Integer.toString(props.options().graceHours())));
        readArchive(prune, bucket);
        // the sweep moves a batch to trash/ (copy, delete), checks the index again, then purges it
        // or puts blobs back
        prune.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject"))
                                .resources(
                                        List.of(
                                                bucket.arnForObjects("blobs/*"),
                                                bucket.arnForObjects("trash/*")))
                                .build());
        prune.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:PutObject"))
                                .resources(
                                        List.of(
                                                bucket.arnForObjects("index.json"),
                                                bucket.arnForObjects("oci-layout")))
                                .build());
        upkeep("PruneSchedule", Upkeep.ARCHIVE_PRUNE, prune, props);
    }

    /**
     * The job's state machine, started by its schedule (the rule keeps the id the function's
     * schedule had); the function writes its plan's items and its marks, and reads the results,
     * under its own runs' folder only.
     */
    private void upkeep(String scheduleId, Upkeep job, QmFunction fn, Props props) {
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject", "s3:PutObject"))
                                .resources(
                                        List.of(
                                                props.bucket()
                                                        .arnForObjects(
                                                                Upkeep.PREFIX
                                                                        + job.jobName()
                                                                        + "/*")))
                                .build());
        new UpkeepStateMachine(
                this,
                scheduleId,
                new UpkeepStateMachine.Props(
                        job,
                        fn,
                        props.bucket(),
                        props.upkeep().maxConcurrency(),
                        props.upkeep().toleratedFailurePercentage(),
                        props.functions().deadLetters(),
                        props.functions().alerts()));
    }

    /**
     * Upkeep reads the blobs and the index, and lists the blobs: nothing else of the bucket (no
     * GetObject* or GetBucket*).
     */
    private static void readArchive(QmFunction fn, Bucket bucket) {
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("s3:GetObject"))
                                .resources(
                                        List.of(
                                                bucket.arnForObjects("blobs/*"),
                                                bucket.arnForObjects("index.json")))
                                .build());
        fn.allowMissingKeys(bucket);
    }
}
