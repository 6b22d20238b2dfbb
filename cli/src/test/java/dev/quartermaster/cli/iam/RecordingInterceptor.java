package dev.quartermaster.cli.iam;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records each AWS SDK call made in this JVM as the IAM actions and resources it needs. The SDK
 * loads it for every client from {@code
 * software/amazon/awssdk/global/handlers/execution.interceptors} on the test class path, so the
 * functions' own clients are recorded unchanged. The caller is the access key id the request was
 * signed with: the permission tier gives each function's settings its own ({@link #accessKey}), so
 * a call is charged to the role that would make it in AWS. Calls signed with other keys are not
 * recorded.
 */
public final class RecordingInterceptor implements ExecutionInterceptor {
    /**
     * DynamoDB Local accepts only letters and digits in an access key id: {@code QMROLE} + the
     * name, '-' written 'X'.
     */
    static final String KEY_PREFIX = "QMROLE";

    static final String ACCOUNT = "000000000000";
    static final String REGION = "us-east-1";
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    private static final ExecutionAttribute<String> PRINCIPAL =
            new ExecutionAttribute<>("qm.principal");

    /**
     * The access key id that charges a function's calls to its role (a catalogue name: lower case
     * and '-').
     */
    public static String accessKey(String function) {
        if (!function.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("not a function name: " + function);
        }
        return KEY_PREFIX + function.replace('-', 'X');
    }

    @Override
    public void beforeTransmission(
            Context.BeforeTransmission context, ExecutionAttributes attributes) {
        context.httpRequest()
                .firstMatchingHeader("Authorization")
                .map(CREDENTIAL::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .filter(k -> k.startsWith(KEY_PREFIX))
                .ifPresent(
                        k ->
                                attributes.putAttribute(
                                        PRINCIPAL,
                                        k.substring(KEY_PREFIX.length()).replace('X', '-')));
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(context.request(), attributes, context.httpResponse().statusCode());
    }

    @Override
    public void onExecutionFailure(
            Context.FailedExecution context, ExecutionAttributes attributes) {
        int status = context.httpResponse().map(r -> r.statusCode()).orElse(0);
        record(context.request(), attributes, status);
    }

    private static void record(SdkRequest request, ExecutionAttributes attributes, int status) {
        String principal = attributes.getAttribute(PRINCIPAL);
        if (principal == null) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        CallLog.add(calls(principal, service, operation, request, status));
    }

    static List<AwsCall> calls(
            String principal, String service, String operation, SdkRequest request, int status) {
        String origin = service + "." + operation + " -> " + status;
        List<AwsCall> out = new ArrayList<>();
        switch (service) {
            case "S3" -> s3(principal, operation, request, status, origin, out);
            case "DynamoDb", "DynamoDB" -> dynamoDb(principal, operation, request, origin, out);
            case "Sns" ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    "sns:" + operation,
                                    field(request, "TopicArn").orElse("*"),
                                    Map.of(),
                                    origin));
            case "Ecr" ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    "ecr:" + operation,
                                    field(request, "RepositoryName")
                                            .map(
                                                    r ->
                                                            "arn:aws:ecr:"
                                                                    + REGION
                                                                    + ":"
                                                                    + ACCOUNT
                                                                    + ":repository/"
                                                                    + r)
                                            .orElse("*"),
                                    Map.of(),
                                    origin));
            default ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    service.toLowerCase() + ":" + operation,
                                    "*",
                                    Map.of(),
                                    origin));
        }
        return out;
    }

    private static void s3(
            String principal,
            String operation,
            SdkRequest request,
            int status,
            String origin,
            List<AwsCall> out) {
        String bucket = field(request, "Bucket").orElse("");
        String object = "arn:aws:s3:::" + bucket + "/" + field(request, "Key").orElse("");
        boolean version = field(request, "VersionId").isPresent();
        switch (operation) {
            case "HeadObject", "GetObject" -> {
                out.add(
                        new AwsCall(
                                principal,
                                version ? "s3:GetObjectVersion" : "s3:GetObject",
                                object,
                                Map.of(),
                                origin));
                if (status == 404) {
                    // S3 answers 404 for a missing key only to a caller that may list the bucket:
                    // 403 otherwise
                    out.add(
                            new AwsCall(
                                    principal,
                                    "s3:ListBucket",
                                    "arn:aws:s3:::" + bucket,
                                    Map.of(),
                                    origin + " (missing key)"));
                }
            }
            case "PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload" ->
                    out.add(new AwsCall(principal, "s3:PutObject", object, Map.of(), origin));
            case "AbortMultipartUpload" ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    "s3:AbortMultipartUpload",
                                    object,
                                    Map.of(),
                                    origin));
            case "DeleteObject" ->
                    out.add(new AwsCall(principal, "s3:DeleteObject", object, Map.of(), origin));
            case "DeleteObjects" ->
                    ((DeleteObjectsRequest) request)
                            .delete()
                            .objects()
                            .forEach(
                                    o ->
                                            out.add(
                                                    new AwsCall(
                                                            principal,
                                                            "s3:DeleteObject",
                                                            "arn:aws:s3:::"
                                                                    + bucket
                                                                    + "/"
                                                                    + o.key(),
                                                            Map.of(),
                                                            origin)));
            case "CopyObject" -> {
                CopyObjectRequest copy = (CopyObjectRequest) request;
                copied(
                        principal,
                        copy.sourceBucket(),
                        copy.sourceKey(),
                        copy.copySource(),
                        origin,
                        out);
                out.add(
                        new AwsCall(
                                principal,
                                "s3:PutObject",
                                "arn:aws:s3:::"
                                        + copy.destinationBucket()
                                        + "/"
                                        + copy.destinationKey(),
                                Map.of(),
                                origin));
            }
            case "UploadPartCopy" -> {
                UploadPartCopyRequest copy = (UploadPartCopyRequest) request;
                copied(
                        principal,
                        copy.sourceBucket(),
                        copy.sourceKey(),
                        copy.copySource(),
                        origin,
                        out);
                out.add(
                        new AwsCall(
                                principal,
                                "s3:PutObject",
                                "arn:aws:s3:::"
                                        + copy.destinationBucket()
                                        + "/"
                                        + copy.destinationKey(),
                                Map.of(),
                                origin));
            }
            case "ListObjectsV2", "ListObjects" ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    "s3:ListBucket",
                                    "arn:aws:s3:::" + bucket,
                                    Map.of("s3:prefix", field(request, "Prefix").orElse("")),
                                    origin));
            case "ListObjectVersions" ->
                    out.add(
                            new AwsCall(
                                    principal,
                                    "s3:ListBucketVersions",
                                    "arn:aws:s3:::" + bucket,
                                    Map.of("s3:prefix", field(request, "Prefix").orElse("")),
                                    origin));
            default -> out.add(new AwsCall(principal, "s3:" + operation, object, Map.of(), origin));
        }
    }

    /**
     * The copy's source: the SDK turns sourceBucket/sourceKey into the URL-encoded copy-source
     * header before it sends.
     */
    private static void copied(
            String principal,
            String bucket,
            String key,
            String copySource,
            String origin,
            List<AwsCall> out) {
        String source =
                bucket != null
                        ? bucket + "/" + key
                        : java.net.URLDecoder.decode(
                                copySource, java.nio.charset.StandardCharsets.UTF_8);
        boolean version = source.contains("?versionId=");
        out.add(
                new AwsCall(
                        principal,
                        version ? "s3:GetObjectVersion" : "s3:GetObject",
                        "arn:aws:s3:::"
                                + (version
                                        ? source.substring(0, source.indexOf("?versionId="))
                                        : source),
                        Map.of(),
                        origin));
    }

    private static void dynamoDb(
            String principal,
            String operation,
            SdkRequest request,
            String origin,
            List<AwsCall> out) {
        if (request instanceof TransactWriteItemsRequest t) {
            t.transactItems()
                    .forEach(
                            i -> {
                                if (i.put() != null) {
                                    out.add(
                                            table(
                                                    principal,
                                                    "PutItem",
                                                    i.put().tableName(),
                                                    origin));
                                } else if (i.update() != null) {
                                    out.add(
                                            table(
                                                    principal,
                                                    "UpdateItem",
                                                    i.update().tableName(),
                                                    origin));
                                } else if (i.delete() != null) {
                                    out.add(
                                            table(
                                                    principal,
                                                    "DeleteItem",
                                                    i.delete().tableName(),
                                                    origin));
                                } else if (i.conditionCheck() != null) {
                                    out.add(
                                            table(
                                                    principal,
                                                    "ConditionCheckItem",
                                                    i.conditionCheck().tableName(),
                                                    origin));
                                }
                            });
        } else if (request instanceof TransactGetItemsRequest t) {
            t.transactItems()
                    .forEach(
                            i -> out.add(table(principal, "GetItem", i.get().tableName(), origin)));
        } else {
            String name = field(request, "TableName").orElse("*");
            String index = field(request, "IndexName").map(i -> "/index/" + i).orElse("");
            out.add(
                    new AwsCall(
                            principal,
                            "dynamodb:" + operation,
                            tableArn(name) + index,
                            Map.of(),
                            origin));
        }
    }

    private static AwsCall table(String principal, String action, String name, String origin) {
        return new AwsCall(principal, "dynamodb:" + action, tableArn(name), Map.of(), origin);
    }

    private static String tableArn(String name) {
        return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT + ":table/" + name;
    }

    private static Optional<String> field(SdkRequest request, String name) {
        try {
            return request.getValueForField(name, String.class);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
