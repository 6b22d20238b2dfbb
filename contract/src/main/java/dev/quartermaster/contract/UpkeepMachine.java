package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The Amazon States Language definition of an upkeep run ({@link Upkeep}): what the stack deploys
 * (with {@value #FUNCTION} substituted by the function's alias ARN through DefinitionSubstitutions)
 * and what {@code bin/qm}'s local engine interprets, so both run the same batches.
 *
 * <pre>
 *   Plan (Task: lambda:invoke) ─► Planned? (Choice) ─► Map 1 (DISTRIBUTED) ─► … Map n ─► Fold (Task: lambda:invoke) ─► Folded? (Choice) ─► Done
 *                                     └─ not RECORDED ─► Fail                                                             └─ not RECORDED ─► Fail
 * </pre>
 *
 * Shapes, from the Step Functions developer guide
 * (https://docs.aws.amazon.com/step-functions/latest/dg/):
 *
 * <ul>
 *   <li>"Using Map state in Distributed mode" ({@code concepts-asl-use-map-state-distributed.html})
 *       and the ASL specification's Map state: {@code ItemProcessor.ProcessorConfig} {@code Mode:
 *       DISTRIBUTED}, {@code ExecutionType: STANDARD} (a batch may run up to Lambda's 15 minutes;
 *       EXPRESS children stop at 5), {@code MaxConcurrency}, {@code ToleratedFailurePercentage}
 *       (0..100), {@code Label} (40 characters, no whitespace or special characters);
 *   <li>"ItemReader (Map)" ({@code input-output-itemreader.html}), "JSON file in an Amazon S3
 *       bucket": {@code Resource: arn:aws:states:::s3:getObject}, {@code ReaderConfig.InputType:
 *       JSON}, {@code Parameters} {@code Bucket}/{@code Key} (here reference paths into the plan's
 *       answer);
 *   <li>"ItemBatcher (Map)" ({@code input-output-itembatcher.html}): {@code MaxItemsPerBatch},
 *       {@code MaxInputBytesPerBatch} (up to 256 KiB), {@code BatchInput} (fixed JSON: here the job
 *       and the map's label); a child's input is {@code {"BatchInput": {...}, "Items": [...]}};
 *   <li>"ItemSelector (Map)" ({@code input-output-itemselector.html}): each item replaced by an
 *       object of constants, paths into the Map state's input and {@code $$.Map.Item.Value}; "Map
 *       state input and output fields" ({@code input-output-fields-dist-map.html}): applied after
 *       ItemReader and before ItemBatcher. Each unit so carries the run and the origin: {@code
 *       {"unit": {...}, "run": ..., "account": ..., "region": ...}};
 *   <li>"ResultWriter (Map)" ({@code input-output-resultwriter.html}): {@code Resource:
 *       arn:aws:states:::s3:putObject}, {@code Parameters} {@code Bucket}/{@code Prefix}; no {@code
 *       WriterConfig}, so the files hold each child's metadata and its {@code Output} as a string
 *       (Transformation {@code NONE}); the Map's own output is {@code {"MapRunArn": ...,
 *       "ResultWriterDetails": {"Bucket": ..., "Key": ".../manifest.json"}}};
 *   <li>"Invoke an AWS Lambda function with Step Functions" ({@code connect-lambda.html}): {@code
 *       arn:aws:states:::lambda:invoke} with {@code FunctionName} and {@code Payload}, the answer
 *       under {@code Payload}; "Handle transient Lambda service exceptions" ({@code
 *       bp-lambda-serviceexception.html}): retry {@code Lambda.ServiceException}, {@code
 *       Lambda.AWSLambdaException}, {@code Lambda.SdkClientException}, {@code
 *       Lambda.TooManyRequestsException}, {@code Lambda.ClientExecutionTimeoutException};
 *   <li>"Context object" ({@code input-output-contextobject.html}): {@code $$.Execution.Name},
 *       {@code $$.Execution.StartTime}.
 * </ul>
 *
 * The execution's input is the EventBridge event that started it (the schedule's {@code Scheduled
 * Event}): its {@code account} and {@code region} ride in every payload, so the function's origin
 * check applies as to any event, and its {@code detail} goes to the plan (empty for a schedule; a
 * backfill started by hand may name its destination).
 */
public final class UpkeepMachine {
    /** The placeholder of the function's ARN (DefinitionSubstitutions). */
    public static final String FUNCTION = "${Function}";

    public static final String LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
    public static final String S3_GET_OBJECT = "arn:aws:states:::s3:getObject";
    public static final String S3_PUT_OBJECT = "arn:aws:states:::s3:putObject";

    /**
     * Where the plan's answer lands in the state (its {@code details}: bucket, run, and per map its
     * items and results).
     */
    public static final String PLAN_PATH = "$.plan.details";

    static final List<String> TRANSIENT_LAMBDA_ERRORS =
            List.of(
                    "Lambda.ServiceException",
                    "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException",
                    "Lambda.ClientExecutionTimeoutException");
    private static final ObjectMapper JSON = new ObjectMapper();

    private UpkeepMachine() {}

    /**
     * @param maxConcurrency child executions of a map at once (cdk.json {@code
     *     upkeepMaxConcurrency})
     * @param toleratedFailurePercentage batches that may fail before the map (and the run) fails;
     *     the fold reports them
     */
    public static ObjectNode definition(
            Upkeep job, int maxConcurrency, int toleratedFailurePercentage) {
        if (maxConcurrency < 1 || maxConcurrency > 10_000) {
            throw new IllegalArgumentException(
                    "MaxConcurrency must be 1..10000 (Step Functions' bound on a Distributed Map's children), not "
                            + maxConcurrency);
        }
        if (toleratedFailurePercentage < 0 || toleratedFailurePercentage > 100) {
            throw new IllegalArgumentException(
                    "ToleratedFailurePercentage must be 0..100, not " + toleratedFailurePercentage);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put(
                "Comment",
                "Quartermaster "
                        + job.jobName()
                        + ": plan, "
                        + job.maps().size()
                        + " distributed map(s) of batches, fold");
        root.put("StartAt", "Plan");
        ObjectNode states = root.putObject("States");
        ObjectNode plan = task(states.putObject("Plan"), payload(job, Upkeep.Step.PLAN));
        ((ObjectNode) plan.get("Parameters").get("Payload"))
                .put(Upkeep.FIELD_EXECUTION + ".$", "$$.Execution.Name");
        ((ObjectNode) plan.get("Parameters").get("Payload"))
                .put("started.$", "$$.Execution.StartTime");
        ((ObjectNode) plan.get("Parameters").get("Payload")).put("detail.$", "$.detail");
        ObjectNode selector = plan.putObject("ResultSelector");
        selector.put("status.$", "$.Payload.status");
        selector.put("message.$", "$.Payload.message");
        selector.put("details.$", "$.Payload.details");
        plan.put("ResultPath", "$.plan");
        plan.put("Next", "Planned");

        ObjectNode choice = states.putObject("Planned");
        choice.put("Type", "Choice");
        ObjectNode recorded = choice.putArray("Choices").addObject();
        recorded.put("Variable", "$.plan.status");
        recorded.put("StringEquals", "RECORDED");
        recorded.put("Next", job.maps().get(0).label());
        choice.put("Default", "PlanRefused");
        ObjectNode fail = states.putObject("PlanRefused");
        fail.put("Type", "Fail");
        fail.put("Error", "Quartermaster.PlanRefused");
        fail.put(
                "Cause",
                "the plan step did not record a plan (its outcome is in the execution history)");

        for (int i = 0; i < job.maps().size(); i++) {
            Upkeep.MapSpec m = job.maps().get(i);
            String next = i + 1 < job.maps().size() ? job.maps().get(i + 1).label() : "Fold";
            map(states.putObject(m.label()), job, m, maxConcurrency, toleratedFailurePercentage)
                    .put("Next", next);
        }

        ObjectNode foldPayload = payload(job, Upkeep.Step.FOLD);
        foldPayload.put(Upkeep.FIELD_PLAN + ".$", PLAN_PATH);
        ObjectNode results = foldPayload.putObject(Upkeep.FIELD_RESULTS);
        job.maps().forEach(m -> results.put(m.label() + ".$", "$." + m.label()));
        ObjectNode fold = task(states.putObject("Fold"), foldPayload);
        ObjectNode foldSelector = fold.putObject("ResultSelector");
        foldSelector.put("status.$", "$.Payload.status");
        foldSelector.put("message.$", "$.Payload.message");
        foldSelector.put("details.$", "$.Payload.details");
        fold.put("Next", "Folded");
        // a fold that did not record (its results do not match the plan's batches, or it refused
        // its input) fails the run, so the state machine's alarm sees it ("Fail workflow state",
        // state-fail.html: CausePath, a reference path to a string, JSONPath only)
        ObjectNode folded = states.putObject("Folded");
        folded.put("Type", "Choice");
        ObjectNode done = folded.putArray("Choices").addObject();
        done.put("Variable", "$.status");
        done.put("StringEquals", "RECORDED");
        done.put("Next", "Done");
        folded.put("Default", "FoldRefused");
        states.putObject("Done").put("Type", "Succeed");
        ObjectNode refused = states.putObject("FoldRefused");
        refused.put("Type", "Fail");
        refused.put("Error", "Quartermaster.FoldRefused");
        refused.put("CausePath", "$.message");
        return root;
    }

    /** The definition as the text the stack deploys. */
    public static String json(Upkeep job, int maxConcurrency, int toleratedFailurePercentage) {
        try {
            return JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(
                            definition(job, maxConcurrency, toleratedFailurePercentage));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode map(
            ObjectNode state, Upkeep job, Upkeep.MapSpec m, int maxConcurrency, int tolerated) {
        state.put("Type", "Map");
        state.put("Label", m.label());
        ObjectNode reader = state.putObject("ItemReader");
        reader.put("Resource", S3_GET_OBJECT);
        reader.putObject("ReaderConfig").put("InputType", "JSON");
        ObjectNode readerParameters = reader.putObject("Parameters");
        readerParameters.put("Bucket.$", PLAN_PATH + ".bucket");
        readerParameters.put("Key.$", PLAN_PATH + ".maps." + m.label() + ".items");

        // each unit carries the run and the origin of the event that started it: ItemSelector's
        // paths select from the Map state's input ("ItemSelector (Map)"), and Step Functions
        // applies ItemSelector before ItemBatcher ("Map state input and output fields",
        // input-output-fields-dist-map.html); BatchInput is "fixed JSON input to include in each
        // batch" (CDK's ItemBatcherProps.batchInput, which renders the ASL field) and the guide's
        // "ItemBatcher (Map)" shows it with constants only, so it holds nothing but constants
        ObjectNode selector = state.putObject("ItemSelector");
        selector.put(Upkeep.FIELD_UNIT + ".$", "$$.Map.Item.Value");
        selector.put(Upkeep.FIELD_RUN + ".$", PLAN_PATH + ".run");
        selector.put("account.$", "$.account");
        selector.put("region.$", "$.region");

        ObjectNode batcher = state.putObject("ItemBatcher");
        batcher.put("MaxItemsPerBatch", m.unitsPerBatch());
        batcher.put("MaxInputBytesPerBatch", Upkeep.MAX_INPUT_BYTES_PER_BATCH);
        ObjectNode batchInput = batcher.putObject("BatchInput");
        batchInput.put(Upkeep.FIELD_UPKEEP, job.jobName());
        batchInput.put(Upkeep.FIELD_MAP, m.label());

        ObjectNode processor = state.putObject("ItemProcessor");
        ObjectNode config = processor.putObject("ProcessorConfig");
        config.put("Mode", "DISTRIBUTED");
        config.put("ExecutionType", "STANDARD");
        processor.put("StartAt", "Batch");
        ObjectNode batchPayload = JSON.createObjectNode();
        batchPayload.put(Upkeep.FIELD_UPKEEP + ".$", "$.BatchInput." + Upkeep.FIELD_UPKEEP);
        batchPayload.put(Upkeep.FIELD_STEP, "batch");
        batchPayload.put(Upkeep.FIELD_MAP + ".$", "$.BatchInput." + Upkeep.FIELD_MAP);
        // the origin at the top, where every function checks it (a batch is never empty: the
        // ItemBatcher starts a child for at least one item); the function checks every unit
        // carries the same run and origin
        batchPayload.put("account.$", "$.Items[0].account");
        batchPayload.put("region.$", "$.Items[0].region");
        batchPayload.put(Upkeep.FIELD_ITEMS + ".$", "$.Items");
        ObjectNode batch = task(processor.putObject("States").putObject("Batch"), batchPayload);
        // a batch is idempotent (see Upkeep): a failure of the function itself is tried once more
        // before the child fails
        ObjectNode again = ((ArrayNode) batch.get("Retry")).addObject();
        again.putArray("ErrorEquals").add("States.ALL");
        again.put("IntervalSeconds", 10);
        again.put("MaxAttempts", 1);
        batch.put("OutputPath", "$.Payload");
        batch.put("End", true);

        state.put("MaxConcurrency", maxConcurrency);
        state.put("ToleratedFailurePercentage", tolerated);
        ObjectNode writer = state.putObject("ResultWriter");
        writer.put("Resource", S3_PUT_OBJECT);
        ObjectNode writerParameters = writer.putObject("Parameters");
        writerParameters.put("Bucket.$", PLAN_PATH + ".bucket");
        writerParameters.put("Prefix.$", PLAN_PATH + ".maps." + m.label() + ".results");
        state.put("ResultPath", "$." + m.label());
        return state;
    }

    /**
     * The payload every step sends: the job, the step, and the account and region of the event that
     * started the run.
     */
    private static ObjectNode payload(Upkeep job, Upkeep.Step step) {
        ObjectNode p = JSON.createObjectNode();
        p.put(Upkeep.FIELD_UPKEEP, job.jobName());
        p.put(Upkeep.FIELD_STEP, step.name().toLowerCase(java.util.Locale.ROOT));
        p.put("account.$", "$.account");
        p.put("region.$", "$.region");
        return p;
    }

    private static ObjectNode task(ObjectNode state, ObjectNode payload) {
        state.put("Type", "Task");
        state.put("Resource", LAMBDA_INVOKE);
        ObjectNode parameters = state.putObject("Parameters");
        parameters.put("FunctionName", FUNCTION);
        parameters.set("Payload", payload);
        ObjectNode transientErrors = state.putArray("Retry").addObject();
        ArrayNode errors = transientErrors.putArray("ErrorEquals");
        TRANSIENT_LAMBDA_ERRORS.forEach(errors::add);
        transientErrors.put("IntervalSeconds", 2);
        transientErrors.put("MaxAttempts", 6);
        transientErrors.put("BackoffRate", 2.0);
        transientErrors.put("JitterStrategy", "FULL");
        return state;
    }
}
