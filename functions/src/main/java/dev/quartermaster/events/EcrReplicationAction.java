package dev.quartermaster.events;

/**
 * detail of {@code source=aws.ecr, detail-type=ECR Replication Action}: emitted by the destination
 * registry (the event's account and region are the destination's) when a replicated image arrived
 * there or failed to.
 */
public record EcrReplicationAction(
        String actionType,
        String result,
        String repositoryName,
        String imageDigest,
        String imageTag,
        String sourceAccount,
        String sourceRegion) {

    public static final String SOURCE = "aws.ecr";
    public static final String DETAIL_TYPE = "ECR Replication Action";
    static final java.util.regex.Pattern ACCOUNT = java.util.regex.Pattern.compile("[0-9]{12}");
    static final java.util.regex.Pattern REGION =
            java.util.regex.Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

    /**
     * Whether the image arrived (SUCCESS) or not; any other result is not an outcome ECR reports.
     */
    public boolean succeeded() {
        return switch (result == null ? "" : result) {
            case "SUCCESS" -> true;
            case "FAILED", "FAILURE" -> false;
            default ->
                    throw new MalformedEventException(
                            "result '"
                                    + Validation.abbreviate(result)
                                    + "' is neither SUCCESS nor FAILED");
        };
    }

    /** An account id of the event (12 digits), checked. */
    public static String account(String value, String field) {
        if (value == null || !ACCOUNT.matcher(value).matches()) {
            throw new MalformedEventException(
                    field + " '" + Validation.abbreviate(value) + "' is not an AWS account id");
        }
        return value;
    }

    /** A region name of the event, checked. */
    public static String region(String value, String field) {
        if (value == null || value.length() > 25 || !REGION.matcher(value).matches()) {
            throw new MalformedEventException(
                    field + " '" + Validation.abbreviate(value) + "' is not an AWS region");
        }
        return value;
    }
}
