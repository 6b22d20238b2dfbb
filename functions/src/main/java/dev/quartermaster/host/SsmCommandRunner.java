package dev.quartermaster.host;

import dev.quartermaster.contract.Host;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * SSM SendCommand to the one managed instance that carries the host tag; output to the backup
 * bucket (ssm-output/) and CloudWatch. The tag is resolved first (DescribeInstanceInformation) and
 * the command sent to that instance id: a tag on no instance, or on several, sends nothing and says
 * so.
 */
public final class SsmCommandRunner implements CommandRunner {
    /** Which managed instance carries the host tag: exactly one, or a {@link TargetException}. */
    @FunctionalInterface
    public interface InstanceResolver {
        String theOne(String tagKey, String tagValue);
    }

    private final java.util.function.Supplier<SsmClient> client;
    private final String outputBucket;
    private final String logGroup;
    private final InstanceResolver resolver;

    /**
     * @param logGroup CloudWatch log group for the commands' output (the stack creates it with a
     *     retention)
     */
    public SsmCommandRunner(
            java.util.function.Supplier<SsmClient> client, String outputBucket, String logGroup) {
        this.client = client;
        this.outputBucket = outputBucket;
        this.logGroup = logGroup;
        this.resolver = this::theOneInstance;
    }

    /** With another way to find the instance (an emulator without DescribeInstanceInformation). */
    public SsmCommandRunner(
            java.util.function.Supplier<SsmClient> client,
            String outputBucket,
            String logGroup,
            InstanceResolver resolver) {
        this.client = client;
        this.outputBucket = outputBucket;
        this.logGroup = logGroup;
        this.resolver = resolver;
    }

    @Override
    public String send(String document, Map<String, String> parameters, Host host, String comment) {
        String instance = resolver.theOne(host.tagKey(), host.tagValue());
        Map<String, List<String>> params =
                parameters.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        return client.get()
                .sendCommand(
                        b ->
                                b.documentName(document)
                                        .instanceIds(instance)
                                        .parameters(params)
                                        .comment(
                                                comment.length() > 100
                                                        ? comment.substring(0, 100)
                                                        : comment)
                                        .timeoutSeconds(600)
                                        .outputS3BucketName(outputBucket)
                                        .outputS3KeyPrefix("ssm-output/")
                                        .cloudWatchOutputConfig(
                                                c ->
                                                        c.cloudWatchOutputEnabled(true)
                                                                .cloudWatchLogGroupName(logGroup)))
                .command()
                .commandId();
    }

    private String theOneInstance(String tagKey, String tagValue) {
        List<String> ids =
                client
                        .get()
                        .describeInstanceInformationPaginator(
                                b ->
                                        b.filters(
                                                InstanceInformationStringFilter.builder()
                                                        .key("tag:" + tagKey)
                                                        .values(tagValue)
                                                        .build()))
                        .instanceInformationList()
                        .stream()
                        .map(InstanceInformation::instanceId)
                        .distinct()
                        .limit(10)
                        .toList();
        if (ids.size() != 1) {
            throw new TargetException(
                    ids.isEmpty()
                            ? "no SSM-managed instance carries the tag "
                                    + tagKey
                                    + "="
                                    + tagValue
                                    + ": tag the host and check that its SSM agent is online (AmazonSSMManagedInstanceCore)"
                            : ids.size()
                                    + (ids.size() == 10 ? "+" : "")
                                    + " instances carry the tag "
                                    + tagKey
                                    + "="
                                    + tagValue
                                    + " ("
                                    + String.join(", ", ids)
                                    + "): exactly one must, or the same dump would run on several hosts");
        }
        return ids.get(0);
    }

    /**
     * SnapStart priming: the runner's reads, for nothing that exists: the output of a command id
     * nobody has, and the instances carrying a tag nobody sets. Whichever of the two the function's
     * role does not allow is refused: harmless, and the request path is loaded all the same.
     */
    public void prime() {
        try {
            output("00000000-0000-0000-0000-000000000000");
        } finally {
            client.get()
                    .describeInstanceInformation(
                            b ->
                                    b.filters(
                                                    InstanceInformationStringFilter.builder()
                                                            .key("tag:qm-priming")
                                                            .values("none")
                                                            .build())
                                            .maxResults(5));
        }
    }

    /**
     * GetCommandInvocation's Status on the one instance the command was sent to: the SSM API's
     * CommandInvocationStatus (Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed,
     * Cancelling; SSM API reference, GetCommandInvocation; Success, Cancelled, TimedOut and Failed
     * are terminal).
     */
    @Override
    public Optional<String> status(String commandId) {
        return invocation(commandId).map(GetCommandInvocationResponse::statusAsString);
    }

    /**
     * The command was sent to one instance (see {@link #send}): ListCommands names it,
     * GetCommandInvocation has its output.
     */
    @Override
    public Optional<String> output(String commandId) {
        return invocation(commandId).map(GetCommandInvocationResponse::standardOutputContent);
    }

    /** The command's invocation on the one instance ListCommands names (none: not there yet). */
    private Optional<GetCommandInvocationResponse> invocation(String commandId) {
        var commands = client.get().listCommands(b -> b.commandId(commandId)).commands();
        if (commands.isEmpty() || commands.get(0).instanceIds().isEmpty()) {
            return Optional.empty();
        }
        try {
            String instance = commands.get(0).instanceIds().get(0);
            return Optional.of(
                    client.get()
                            .getCommandInvocation(
                                    b -> b.commandId(commandId).instanceId(instance)));
        } catch (InvocationDoesNotExistException e) {
            return Optional.empty();
        }
    }
}
