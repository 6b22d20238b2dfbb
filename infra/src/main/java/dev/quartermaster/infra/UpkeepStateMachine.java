package dev.quartermaster.infra;

import dev.quartermaster.contract.Upkeep;
import dev.quartermaster.contract.UpkeepMachine;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.SfnStateMachine;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * One upkeep run as a Step Functions state machine ({@link UpkeepMachine}'s definition, the job's
 * function substituted), started by its schedule (or by hand, for a job without one), its failures
 * alarmed. Its role may do exactly what the definition needs:
 *
 * <ul>
 *   <li>{@code lambda:InvokeFunction} on the job's function (its live alias);
 *   <li>the Distributed Map's child executions (Step Functions developer guide, "IAM policies for
 *       using Distributed Map states"): {@code states:StartExecution} on this state machine, {@code
 *       states:DescribeExecution} and {@code states:StopExecution} on its executions, {@code
 *       states:RedriveExecution} on each map's child executions ({@code
 *       execution:<name>/<label>:*}, "Redriving Map Runs");
 *   <li>the ItemReader's {@code s3:GetObject} and the ResultWriter's {@code s3:PutObject}, {@code
 *       s3:GetObject}, {@code s3:ListMultipartUploadParts}, {@code s3:AbortMultipartUpload} ("IAM
 *       policies for ItemReader / ResultWriter"), on this job's runs only ({@code
 *       upkeep/runs/<job>/*}): never the archive's blobs or index.
 * </ul>
 *
 * The reader's and writer's bucket come from the plan's answer (reference paths), so CDK adds no
 * grant of its own on the whole bucket; the name makes every ARN known before the resource exists
 * (no dependency cycle).
 */
public final class UpkeepStateMachine extends Construct {
    private final StateMachine machine;
    private final String name;

    public record Props(
            Upkeep job,
            QmFunction function,
            IBucket bucket,
            int maxConcurrency,
            int toleratedFailurePercentage,
            IQueue deadLetters,
            ITopic alerts) {}

    public UpkeepStateMachine(Construct scope, String id, Props props) {
        super(scope, id);
        Upkeep job = props.job();
        this.name = Stack.of(this).getStackName() + "-" + job.jobName();
        this.machine =
                StateMachine.Builder.create(this, "Resource")
                        .stateMachineName(name)
                        .stateMachineType(StateMachineType.STANDARD)
                        .comment(
                                "Quartermaster "
                                        + job.jobName()
                                        + " at any size: plan, distributed map(s) of batches, fold")
                        .definitionBody(
                                DefinitionBody.fromString(
                                        UpkeepMachine.json(
                                                job,
                                                props.maxConcurrency(),
                                                props.toleratedFailurePercentage())))
                        .definitionSubstitutions(
                                Map.of(
                                        UpkeepMachine.FUNCTION.substring(
                                                2, UpkeepMachine.FUNCTION.length() - 1),
                                        props.function().alias().getFunctionArn()))
                        .timeout(Duration.hours(24))
                        .build();
        props.function().alias().grantInvoke(machine);

        Stack stack = Stack.of(this);
        String machineArn =
                "arn:"
                        + stack.getPartition()
                        + ":states:"
                        + stack.getRegion()
                        + ":"
                        + stack.getAccount()
                        + ":stateMachine:"
                        + name;
        String executions =
                "arn:"
                        + stack.getPartition()
                        + ":states:"
                        + stack.getRegion()
                        + ":"
                        + stack.getAccount()
                        + ":execution:"
                        + name;
        Policy distributed =
                Policy.Builder.create(this, "DistributedMapPolicy")
                        .statements(
                                List.of(
                                        PolicyStatement.Builder.create()
                                                .effect(Effect.ALLOW)
                                                .actions(List.of("states:StartExecution"))
                                                .resources(List.of(machineArn))
                                                .build(),
                                        PolicyStatement.Builder.create()
                                                .effect(Effect.ALLOW)
                                                .actions(
                                                        List.of(
                                                                "states:DescribeExecution",
                                                                "states:StopExecution"))
                                                // the parent's executions (execution:<name>:<id>,
                                                // as the Distributed
                                                // Map IAM example grants) and the children's
                                                // (execution:<name>/<label>:<id>)
                                                .resources(
                                                        List.of(
                                                                executions + ":*",
                                                                executions + "/*"))
                                                .build(),
                                        PolicyStatement.Builder.create()
                                                .effect(Effect.ALLOW)
                                                .actions(List.of("states:RedriveExecution"))
                                                .resources(
                                                        job.maps().stream()
                                                                .map(
                                                                        m ->
                                                                                executions
                                                                                        + "/"
                                                                                        + m.label()
                                                                                        + ":*")
                                                                .toList())
                                                .build(),
                                        PolicyStatement.Builder.create()
                                                .effect(Effect.ALLOW)
                                                .actions(
                                                        List.of(
                                                                "s3:GetObject",
                                                                "s3:PutObject",
                                                                "s3:ListMultipartUploadParts",
                                                                "s3:AbortMultipartUpload"))
                                                .resources(
                                                        List.of(
                                                                props.bucket()
                                                                        .arnForObjects(
                                                                                Upkeep.PREFIX
                                                                                        + job
                                                                                                .jobName()
                                                                                        + "/*")))
                                                .build()))
                        .build();
        machine.getRole().attachInlinePolicy(distributed);
        NagSuppressions.addResourceSuppressions(
                distributed,
                List.of(
                        NagPackSuppression.builder()
                                .id("AwsSolutions-IAM5")
                                .reason(
                                        "The map's child executions are named by Step Functions (execution:<name>/<label>:<id>), and a run's files by "
                                                + "its run id under upkeep/runs/<job>/: the wildcards cover exactly those")
                                .build()));

        if (job.schedule() != null) { // an on-demand job (the backfill) is started by bin/qm
            Rule.Builder.create(this, "Schedule")
                    .description(
                            props.job().function().name()
                                    + ": "
                                    + job.jobName()
                                    + " (starts its state machine)")
                    .schedule(Schedule.expression(job.schedule()))
                    .targets(
                            List.of(
                                    SfnStateMachine.Builder.create(machine)
                                            .deadLetterQueue(props.deadLetters())
                                            .retryAttempts(8)
                                            .maxEventAge(Duration.hours(6))
                                            .build()))
                    .build();
        }

        Alarm failed =
                Alarm.Builder.create(this, "FailedAlarm")
                        .alarmDescription(
                                job.jobName()
                                        + ": a run failed (more batches failed than ToleratedFailurePercentage allows, or a step failed);"
                                        + " redrive it: aws stepfunctions redrive-execution --execution-arn <the failed execution>")
                        .metric(
                                machine.metricFailed(
                                        software.amazon.awscdk.services.cloudwatch.MetricOptions
                                                .builder()
                                                .period(Duration.hours(1))
                                                .statistic("Sum")
                                                .build()))
                        .threshold(1)
                        .evaluationPeriods(1)
                        .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                        .treatMissingData(TreatMissingData.NOT_BREACHING)
                        .build();
        failed.addAlarmAction(new SnsAction(props.alerts()));

        NagSuppressions.addResourceSuppressions(
                machine,
                List.of(
                        NagPackSuppression.builder()
                                .id("AwsSolutions-SF1")
                                .reason(
                                        "Each batch's outcome is in the function's structured log and in the "
                                                + "map's result files in S3; the execution history keeps every state's input and output for 90 days. Logging to "
                                                + "CloudWatch would need log-delivery actions on * for the role")
                                .build(),
                        NagPackSuppression.builder()
                                .id("AwsSolutions-SF2")
                                .reason(
                                        "X-Ray would trace one invocation per batch of a weekly run; "
                                                + "the functions' logs and the map run's results are the record")
                                .build()),
                true);
    }

    public StateMachine machine() {
        return machine;
    }

    /** {@code <stack>-<job>}: what {@code bin/qm} starts and the execution ARNs name. */
    public String name() {
        return name;
    }
}
