package dev.quartermaster.backup;

import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Target;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** SSM SendCommand targeting instances by tag; output to the backup bucket (ssm-output/) and CloudWatch. */
public final class SsmCommandRunner implements CommandRunner {
    private final SsmClient ssm;
    private final String outputBucket;
    private final String logGroup;

    /** @param logGroup CloudWatch log group for the commands' output (the stack creates it with a retention) */
    public SsmCommandRunner(SsmClient ssm, String outputBucket, String logGroup) {
        this.ssm = ssm;
        this.outputBucket = outputBucket;
        this.logGroup = logGroup;
    }

    @Override
    public String send(String document, Map<String, String> parameters, String tagKey, String tagValue, String comment) {
        Map<String, List<String>> params = parameters.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        return ssm.sendCommand(b -> b.documentName(document)
                .targets(Target.builder().key("tag:" + tagKey).values(tagValue).build())
                .parameters(params)
                .comment(comment.length() > 100 ? comment.substring(0, 100) : comment)
                .timeoutSeconds(600)
                .maxConcurrency("1")
                .maxErrors("0")
                .outputS3BucketName(outputBucket)
                .outputS3KeyPrefix("ssm-output/")
                .cloudWatchOutputConfig(c -> c.cloudWatchOutputEnabled(true).cloudWatchLogGroupName(logGroup)))
                .command().commandId();
    }
}
