package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Amazon Inspector finding ({@code source=aws.inspector2, detail-type=Inspector2 Finding}) on
 * an ECR image, read out of Inspector's finding shape: the first resource of type {@code
 * AWS_ECR_CONTAINER_IMAGE} (its id {@code
 * arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:DIGEST}), severity, status
 * ACTIVE/SUPPRESSED/CLOSED, the vulnerability id and title, and {@code updatedAt} (what orders two
 * versions of the same finding). Everything is bounded and checked before it is stored or alerted.
 */
public record Inspector2Finding(
        String findingArn,
        String repository,
        String digest,
        String severity,
        String status,
        String vulnerabilityId,
        String title,
        Instant updatedAt) {

    public static final String SOURCE = "aws.inspector2";
    public static final String DETAIL_TYPE = "Inspector2 Finding";
    static final Pattern IMAGE_ID =
            Pattern.compile(
                    "arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/(.+)/(sha256:[a-f0-9]{64})");
    static final Pattern REPOSITORY_ARN =
            Pattern.compile("arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/(.+)");
    static final Pattern ARN_ACCOUNT =
            Pattern.compile("arn:aws[a-z-]*:[a-z0-9]+:[a-z0-9-]*:([0-9]{12}):.+");
    static final Pattern FINDING_ARN =
            Pattern.compile(
                    "arn:aws[a-z-]*:inspector2:[a-z0-9-]+:[0-9]{12}:finding/[A-Za-z0-9]{1,128}");
    static final Pattern SEVERITY =
            Pattern.compile("INFORMATIONAL|LOW|MEDIUM|HIGH|CRITICAL|UNTRIAGED");
    static final Pattern STATUS = Pattern.compile("ACTIVE|SUPPRESSED|CLOSED");

    /** Whether the finding counts against the image now (a suppressed or closed one does not). */
    public boolean active() {
        return status.equals("ACTIVE");
    }

    /**
     * Reads a finding event's detail; not one for an ECR image throws {@link
     * MalformedEventException}.
     */
    public static Inspector2Finding read(JsonNode detail) {
        String arn = detail.path("findingArn").asText("");
        if (!FINDING_ARN.matcher(arn).matches()) {
            throw new MalformedEventException(
                    "findingArn '"
                            + Validation.abbreviate(arn)
                            + "' is not an Inspector finding ARN");
        }
        JsonNode resources = detail.path("resources");
        if (!resources.isArray() || resources.size() > 10) {
            throw new MalformedEventException("resources is not a list of up to 10 resources");
        }
        String id = null;
        for (JsonNode r : resources) {
            if ("AWS_ECR_CONTAINER_IMAGE".equals(r.path("type").asText())) {
                id = r.path("id").asText("");
                break;
            }
        }
        if (id == null) {
            throw new MalformedEventException(
                    "the finding names no AWS_ECR_CONTAINER_IMAGE resource");
        }
        Matcher m = IMAGE_ID.matcher(id);
        if (id.length() > 600 || !m.matches()) {
            throw new MalformedEventException(
                    "resource id '"
                            + Validation.abbreviate(id)
                            + "' is not arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:DIGEST");
        }
        String severity = detail.path("severity").asText("");
        if (!SEVERITY.matcher(severity).matches()) {
            throw new MalformedEventException(
                    "severity '" + Validation.abbreviate(severity) + "' is not one of Inspector's");
        }
        String status = detail.path("status").asText("");
        if (!STATUS.matcher(status).matches()) {
            throw new MalformedEventException(
                    "status '"
                            + Validation.abbreviate(status)
                            + "' is not ACTIVE, SUPPRESSED or CLOSED");
        }
        Instant updated =
                time(detail.path("updatedAt").asText(detail.path("lastObservedAt").asText("")));
        String vuln = detail.path("packageVulnerabilityDetails").path("vulnerabilityId").asText("");
        String title = detail.path("title").asText("");
        return new Inspector2Finding(
                arn,
                Validation.repository(m.group(1)),
                Validation.digest(m.group(2)),
                severity,
                status,
                Validation.oneLine(vuln.isEmpty() ? "(no id)" : vuln, 64),
                Validation.oneLine(title.isEmpty() ? "(untitled)" : title, 200),
                updated);
    }

    /**
     * EventBridge's finding events write times as ISO-8601, as "Nov 28, 2026, 8:02:44 AM" (UTC, the
     * ECR user guide's sample) or as "Wed Sep 04 16:55:38.411 UTC 2024" (the Inspector user guide's
     * samples): all three are read.
     */
    static final java.time.format.DateTimeFormatter HUMAN =
            java.time.format.DateTimeFormatter.ofPattern(
                            "MMM d, yyyy, h:mm:ss a", java.util.Locale.US)
                    .withZone(java.time.ZoneOffset.UTC);

    static final java.time.format.DateTimeFormatter UNIX_DATE =
            java.time.format.DateTimeFormatter.ofPattern(
                            "EEE MMM dd HH:mm:ss[.SSS] 'UTC' yyyy", java.util.Locale.US)
                    .withZone(java.time.ZoneOffset.UTC);

    static Instant time(String text) {
        if (text.length() > 40) {
            throw new MalformedEventException("updatedAt is not a time");
        }
        try {
            return Instant.parse(text.replace(" ", "T"));
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return HUMAN.parse(text.replace('\u202f', ' '), Instant::from);
            } catch (java.time.format.DateTimeParseException e2) {
                try {
                    return UNIX_DATE.parse(text, Instant::from);
                } catch (java.time.format.DateTimeParseException e3) {
                    throw new MalformedEventException(
                            "updatedAt '" + Validation.abbreviate(text) + "' is not a time");
                }
            }
        }
    }

    /**
     * The account of the ECR image a finding event is about: its {@code AWS_ECR_CONTAINER_IMAGE}
     * resource's ARN ({@code arn:aws:ecr:REGION:ACCOUNT:repository/NAME/sha256:DIGEST}), which must
     * agree with {@code awsAccountId} when that is given (Inspector user guide, EventBridge event
     * schema: ECR package vulnerability finding).
     */
    public static String imageAccount(JsonNode detail) {
        String account = null;
        for (JsonNode r : detail.path("resources")) {
            if ("AWS_ECR_CONTAINER_IMAGE".equals(r.path("type").asText())) {
                account = accountOfArn(r.path("id").asText(""));
                break;
            }
        }
        if (account == null) {
            throw new MalformedEventException(
                    "the finding names no AWS_ECR_CONTAINER_IMAGE resource");
        }
        String declared = detail.path("awsAccountId").asText(account);
        if (!declared.equals(account)) {
            throw new MalformedEventException(
                    "awsAccountId "
                            + Validation.abbreviate(declared)
                            + " is not the account of the image's ARN ("
                            + account
                            + ")");
        }
        return account;
    }

    /** The account of an ARN (its fifth field), checked. */
    public static String accountOfArn(String arn) {
        Matcher m = arn == null ? null : ARN_ACCOUNT.matcher(arn);
        if (m == null || arn.length() > 600 || !m.matches()) {
            throw new MalformedEventException(
                    "'" + Validation.abbreviate(arn) + "' is not an ARN naming an account");
        }
        return m.group(1);
    }

    /** The repository name of an ECR repository ARN, checked. */
    public static String repositoryOfArn(String arn) {
        Matcher m = arn == null ? null : REPOSITORY_ARN.matcher(arn);
        if (m == null || arn.length() > 400 || !m.matches()) {
            throw new MalformedEventException(
                    "repository-name '"
                            + Validation.abbreviate(arn)
                            + "' is not an ECR repository ARN");
        }
        return Validation.repository(m.group(1));
    }
}
