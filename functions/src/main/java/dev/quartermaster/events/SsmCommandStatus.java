package dev.quartermaster.events;

/**
 * detail of {@code source=aws.ssm, detail-type=EC2 Command Invocation Status-change Notification}
 * (and of the command-level notification, which has no instance id).
 */
public record SsmCommandStatus(
        String commandId,
        String documentName,
        String instanceId,
        String requestedDateTime,
        String status) {

    public static final String SOURCE = "aws.ssm";
    public static final String INVOCATION_DETAIL_TYPE = "EC2 Command Invocation Status-change Notification";
    public static final String COMMAND_DETAIL_TYPE = "EC2 Command Status-change Notification";
}
