package dev.quartermaster.infra;

import dev.quartermaster.contract.options.ArchiveOptions;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.Bucket;
import software.constructs.Construct;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The image archive: image-archive (a third target of the push rule, and a daily reconcile), the weekly
 * archive-scrub and archive-prune, each granted only what it uses on the archive bucket (made by the
 * stack) and the managed repositories.
 */
public final class ImageArchive extends Construct {
    /** Daily reconcile, then weekly scrub and prune, out of the backup's hours. */
    static final String RECONCILE = "cron(30 2 * * ? *)";
    static final String SCRUB = "cron(0 5 ? * SAT *)";
    static final String PRUNE = "cron(0 6 ? * SAT *)";

    public record Props(Bucket bucket, List<Repository> repositories, List<String> repositoryNames, ArchiveOptions options, FunctionFactory functions) {
    }

    public ImageArchive(Construct scope, String id, Props props) {
        super(scope, id);
        Bucket bucket = props.bucket();
        Map<Setting, String> archiveSettings = new HashMap<>();
        archiveSettings.put(Setting.ARCHIVE_BUCKET, bucket.getBucketName());
        archiveSettings.put(Setting.REGISTRY_URL, "https://" + Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX);
        archiveSettings.put(Setting.REGISTRY_AUTH, "ecr");
        archiveSettings.put(Setting.MANAGED_REPOSITORIES, String.join(",", props.repositoryNames()));
        QmFunction archive = props.functions().create(this, Catalog.IMAGE_ARCHIVE, archiveSettings);
        props.repositories().forEach(r -> {
            r.grantPull(archive.function());
            r.grant(archive.function(), "ecr:DescribeImages");
        });
        // layout files and blobs: look up, read back, write (single and multipart); never delete
        archive.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"))
                .resources(List.of(bucket.arnForObjects("blobs/*"), bucket.arnForObjects("index.json"), bucket.arnForObjects("oci-layout"))).build());
        archive.allowMissingKeys(bucket);
        Map<String, Object> detail = new HashMap<>();
        detail.put("repository-name", props.repositoryNames());
        detail.put("action-type", List.of("PUSH"));
        detail.put("result", List.of("SUCCESS"));
        Rule.Builder.create(this, "ImageArchiveRule").description("Successful pushes, to the image archive")
                .eventPattern(EventPattern.builder().source(List.of("aws.ecr")).detailType(List.of("ECR Image Action")).detail(detail).build())
                .targets(List.of(archive.target())).build();
        schedule("ReconcileSchedule", Catalog.IMAGE_ARCHIVE, RECONCILE, archive);

        QmFunction scrub = props.functions().create(this, Catalog.ARCHIVE_SCRUB, Map.of(
                Setting.ARCHIVE_BUCKET, bucket.getBucketName(),
                Setting.ARCHIVE_SCRUB_PERCENT, Integer.toString(props.options().scrubPercent())));
        readArchive(scrub, bucket);
        // a blob that no longer hashes to its name is moved to quarantine/ (copy, then delete the original)
        scrub.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:DeleteObject")).resources(List.of(bucket.arnForObjects("blobs/*"))).build());
        scrub.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:PutObject")).resources(List.of(bucket.arnForObjects("quarantine/*"), bucket.arnForObjects("index.json"))).build());
        schedule("ScrubSchedule", Catalog.ARCHIVE_SCRUB, SCRUB, scrub);

        QmFunction prune = props.functions().create(this, Catalog.ARCHIVE_PRUNE, Map.of(
                Setting.ARCHIVE_BUCKET, bucket.getBucketName(),
                Setting.ARCHIVE_RETENTION_DAYS, Integer.toString(props.options().retentionDays()),
                Setting.ARCHIVE_GRACE_HOURS, Integer.toString(props.options().graceHours())));
        readArchive(prune, bucket);
        // the sweep moves a batch to trash/ (copy, delete), checks the index again, then purges it or puts blobs back
        prune.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject"))
                .resources(List.of(bucket.arnForObjects("blobs/*"), bucket.arnForObjects("trash/*"))).build());
        prune.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW)
                .actions(List.of("s3:PutObject")).resources(List.of(bucket.arnForObjects("index.json"), bucket.arnForObjects("oci-layout"))).build());
        schedule("PruneSchedule", Catalog.ARCHIVE_PRUNE, PRUNE, prune);
    }

    /** Upkeep reads the blobs and the index, and lists the blobs: nothing else of the bucket (no GetObject* or GetBucket*). */
    private static void readArchive(QmFunction fn, Bucket bucket) {
        fn.function().addToRolePolicy(PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(List.of("s3:GetObject"))
                .resources(List.of(bucket.arnForObjects("blobs/*"), bucket.arnForObjects("index.json"))).build());
        fn.allowMissingKeys(bucket);
    }

    private void schedule(String id, FunctionSpec spec, String cron, QmFunction fn) {
        Rule.Builder.create(this, id).description(spec.description()).schedule(Schedule.expression(cron)).targets(List.of(fn.target())).build();
    }
}
