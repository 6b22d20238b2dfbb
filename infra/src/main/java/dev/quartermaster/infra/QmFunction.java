package dev.quartermaster.infra;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.events.IRuleTarget;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Quartermaster Lambda function: java21 on arm64, SnapStart on a published version behind the
 * alias {@code live}, structured logs kept 30 days, failed async invocations parked in the DLQ.
 *
 * <p>Defaults: 1024 MB (Lambda gives CPU in proportion to memory; Java's start-up and JSON work are
 * CPU-bound, and at a few invocations a day the cost is cents), 30 s timeout.
 */
public final class QmFunction extends Construct {
    /**
     * What every function gets besides its catalogued settings: Powertools' names and the JVM's
     * start-up options.
     */
    public static final java.util.Set<String> RUNTIME_ENVIRONMENT =
            java.util.Set.of(
                    "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "JAVA_TOOL_OPTIONS");

    private final Function function;
    private final Alias alias;
    private final IQueue deadLetters;
    private final String name;
    private final LogGroup logs;

    public record Props(
            String functionName,
            String handler,
            Code code,
            Map<String, String> environment,
            int memoryMb,
            int timeoutSeconds,
            IQueue deadLetters) {
        public Props {
            Objects.requireNonNull(functionName, "functionName");
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(deadLetters, "deadLetters");
            if (memoryMb < 128 || memoryMb > 10240) {
                throw new IllegalArgumentException(
                        functionName + ": memoryMb must be 128..10240, got " + memoryMb);
            }
            if (timeoutSeconds < 1 || timeoutSeconds > 900) {
                throw new IllegalArgumentException(
                        functionName + ": timeoutSeconds must be 1..900, got " + timeoutSeconds);
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private String functionName;
            private String handler;
            private Code code;
            private final Map<String, String> environment = new HashMap<>();
            private int memoryMb = 1024;
            private int timeoutSeconds = 30;
            private IQueue deadLetters;

            public Builder functionName(String v) {
                this.functionName = v;
                return this;
            }

            public Builder handler(String v) {
                this.handler = v;
                return this;
            }

            public Builder code(Code v) {
                this.code = v;
                return this;
            }

            public Builder environment(Map<String, String> v) {
                this.environment.putAll(v);
                return this;
            }

            public Builder memoryMb(int v) {
                this.memoryMb = v;
                return this;
            }

            public Builder timeoutSeconds(int v) {
                this.timeoutSeconds = v;
                return this;
            }

            public Builder deadLetters(IQueue v) {
                this.deadLetters = v;
                return this;
            }

            public Props build() {
                return new Props(
                        functionName,
                        handler,
                        code,
                        Map.copyOf(environment),
                        memoryMb,
                        timeoutSeconds,
                        deadLetters);
            }
        }
    }

    public QmFunction(Construct scope, String id, Props props) {
        super(scope, id);
        this.deadLetters = props.deadLetters();
        Map<String, String> env = new HashMap<>(props.environment());
        env.put("POWERTOOLS_SERVICE_NAME", "quartermaster-" + props.functionName());
        env.put("POWERTOOLS_METRICS_NAMESPACE", dev.quartermaster.contract.Metric.NAMESPACE);
        env.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
        this.name = props.functionName();
        this.logs =
                LogGroup.Builder.create(this, "Logs")
                        .retention(RetentionDays.ONE_MONTH)
                        .removalPolicy(RemovalPolicy.DESTROY)
                        .build();
        this.function =
                Function.Builder.create(this, "Resource")
                        // the name bin/qm invoke and the logs use: <stack>-image-action,
                        // <stack>-backup-start, ...
                        .functionName(
                                software.amazon.awscdk.Stack.of(this).getStackName()
                                        + "-"
                                        + props.functionName())
                        .description("Quartermaster " + props.functionName())
                        .runtime(Runtime.JAVA_21)
                        .architecture(Architecture.ARM_64)
                        .handler(props.handler())
                        .code(props.code())
                        .memorySize(props.memoryMb())
                        .timeout(Duration.seconds(props.timeoutSeconds()))
                        .environment(env)
                        .logGroup(logs)
                        .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                        .deadLetterQueue(props.deadLetters())
                        .retryAttempts(2)
                        .build();
        software.amazon.awscdk.Annotations.of(function)
                .acknowledgeWarning(
                        "@aws-cdk/aws-lambda:snapStartRequirePublish",
                        "every function is invoked through its live alias on a published version");
        this.alias =
                Alias.Builder.create(this, "Live")
                        .aliasName("live")
                        .version(function.getCurrentVersion())
                        .build();
    }

    public Function function() {
        return function;
    }

    public Alias alias() {
        return alias;
    }

    /** The catalogue's name (image-action, …). */
    public String name() {
        return name;
    }

    public LogGroup logs() {
        return logs;
    }

    /** An EventBridge target on the live alias; events EventBridge cannot deliver go to the DLQ. */
    public IRuleTarget target() {
        return new LambdaFunction(
                alias,
                LambdaFunctionProps.builder()
                        .deadLetterQueue(deadLetters)
                        .retryAttempts(8)
                        .maxEventAge(Duration.hours(6))
                        .build());
    }

    /**
     * s3:ListBucket on the bucket: without it S3 answers a HEAD or GET of a missing key with 403,
     * not 404, so "not there yet" (the archive's first new blob of every image, a staged backup
     * already committed) would fail as access denied. No condition: a HEAD carries no s3:prefix, so
     * a prefix-conditioned grant would not count. It also lets the function list the bucket's key
     * names.
     */
    void allowMissingKeys(IBucket bucket) {
        function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .actions(List.of("s3:ListBucket"))
                                .resources(List.of(bucket.getBucketArn()))
                                .build());
    }
}
