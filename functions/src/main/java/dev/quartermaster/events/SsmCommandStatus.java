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
    public static final String INVOCATION_DETAIL_TYPE =
            "EC2 Command Invocation Status-change Notification";
    public static final String COMMAND_DETAIL_TYPE = "EC2 Command Status-change Notification";
    private static final java.util.regex.Pattern COMMAND_ID =
            java.util.regex.Pattern.compile("[0-9a-fA-F-]{36}|[A-Za-z0-9-]{1,64}");

    /** Reads an SSM status event (either detail type) and checks what the handlers rely on. */
    public static SsmCommandStatus parse(com.fasterxml.jackson.databind.JsonNode json) {
        var event =
                EventParser.parse(
                        json,
                        SsmCommandStatus.class,
                        SOURCE,
                        java.util.Set.of(INVOCATION_DETAIL_TYPE, COMMAND_DETAIL_TYPE));
        SsmCommandStatus d = event.detail();
        if (d.commandId() == null || !COMMAND_ID.matcher(d.commandId()).matches()) {
            throw new MalformedEventException("detail has no valid command-id");
        }
        if (d.status() == null || d.status().isBlank() || d.status().length() > 64) {
            throw new MalformedEventException("detail has no status");
        }
        if (d.documentName() != null && d.documentName().length() > 256) {
            throw new MalformedEventException("detail has a document-name longer than SSM allows");
        }
        return d;
    }
}
