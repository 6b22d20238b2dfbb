package dev.quartermaster.cli.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * Each role's identity policy as the synthesized CloudFormation template gives it: inline policies
 * ({@code AWS::IAM::Policy} attached to the role, the role's own {@code Policies}) and managed
 * policies of the stack. Intrinsic functions are resolved to the names the local backends use,
 * through {@code names}: logical id of a bucket, table, topic or repository to its local name (a
 * resource without a name stays {@code <LogicalId>}, which then matches no local call).
 */
public final class StackPolicies {
    private final JsonNode resources;
    private final String stackName;
    private final Function<String, String> names;

    public StackPolicies(JsonNode template, String stackName, Function<String, String> names) {
        this.resources = template.path("Resources");
        this.stackName = stackName;
        this.names = names;
    }

    /** The logical ids of the resources of {@code type}. */
    public List<String> logicalIds(String type) {
        List<String> out = new ArrayList<>();
        resources
                .fields()
                .forEachRemaining(
                        e -> {
                            if (type.equals(e.getValue().path("Type").asText())) {
                                out.add(e.getKey());
                            }
                        });
        return out;
    }

    /**
     * Every Lambda function of the stack by its name less the stack's prefix (the catalogue's
     * name), with its role's policy.
     */
    public Map<String, IamPolicy> functions() {
        Map<String, IamPolicy> out = new LinkedHashMap<>();
        for (String id : logicalIds("AWS::Lambda::Function")) {
            JsonNode props = resources.path(id).path("Properties");
            String name = resolve(props.path("FunctionName"));
            String role = props.path("Role").path("Fn::GetAtt").path(0).asText();
            if (name.startsWith(stackName + "-") && !role.isEmpty()) {
                String short_ = name.substring(stackName.length() + 1);
                out.put(short_, new IamPolicy(short_, roleStatements(role)));
            }
        }
        return out;
    }

    /**
     * Every state machine of the stack by its name less the stack's prefix, as {@code
     * states-<name>} (the principal the permission tier charges the engine's calls to: Step
     * Functions' ItemReader and ResultWriter), with its role's policy.
     */
    public Map<String, IamPolicy> stateMachines() {
        Map<String, IamPolicy> out = new LinkedHashMap<>();
        for (String id : logicalIds("AWS::StepFunctions::StateMachine")) {
            JsonNode props = resources.path(id).path("Properties");
            String name = resolve(props.path("StateMachineName"));
            String role = props.path("RoleArn").path("Fn::GetAtt").path(0).asText();
            if (name.startsWith(stackName + "-") && !role.isEmpty()) {
                String principal = "states-" + name.substring(stackName.length() + 1);
                out.put(principal, new IamPolicy(principal, roleStatements(role)));
            }
        }
        return out;
    }

    /** The statements of one managed policy of the stack (e.g. the host's). */
    public IamPolicy managedPolicy(String logicalIdPrefix, String principal) {
        String id =
                logicalIds("AWS::IAM::ManagedPolicy").stream()
                        .filter(i -> i.startsWith(logicalIdPrefix))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no managed policy "
                                                        + logicalIdPrefix
                                                        + "* in the template"));
        return new IamPolicy(
                principal,
                statements(resources.path(id).path("Properties").path("PolicyDocument"), id));
    }

    private List<IamPolicy.Statement> roleStatements(String role) {
        List<IamPolicy.Statement> out = new ArrayList<>();
        JsonNode roleProps = resources.path(role).path("Properties");
        roleProps
                .path("Policies")
                .forEach(p -> out.addAll(statements(p.path("PolicyDocument"), role)));
        for (JsonNode arn : roleProps.path("ManagedPolicyArns")) {
            String ref = arn.path("Ref").asText();
            if (!ref.isEmpty()) {
                out.addAll(
                        statements(
                                resources.path(ref).path("Properties").path("PolicyDocument"),
                                ref));
            } // AWS managed policies (basic execution: logs only) are not what the tier checks
        }
        resources
                .fields()
                .forEachRemaining(
                        e -> {
                            String type = e.getValue().path("Type").asText();
                            if (type.equals("AWS::IAM::Policy")
                                    || type.equals("AWS::IAM::ManagedPolicy")) {
                                JsonNode props = e.getValue().path("Properties");
                                boolean attached =
                                        StreamSupport.stream(
                                                        props.path("Roles").spliterator(), false)
                                                .anyMatch(r -> role.equals(r.path("Ref").asText()));
                                if (attached) {
                                    out.addAll(
                                            statements(props.path("PolicyDocument"), e.getKey()));
                                }
                            }
                        });
        return out;
    }

    private List<IamPolicy.Statement> statements(JsonNode document, String source) {
        List<IamPolicy.Statement> out = new ArrayList<>();
        for (JsonNode s : document.path("Statement")) {
            Map<String, Map<String, List<String>>> conditions = new LinkedHashMap<>();
            s.path("Condition")
                    .fields()
                    .forEachRemaining(
                            op -> {
                                Map<String, List<String>> keys = new LinkedHashMap<>();
                                op.getValue()
                                        .fields()
                                        .forEachRemaining(
                                                k -> keys.put(k.getKey(), strings(k.getValue())));
                                conditions.put(op.getKey(), keys);
                            });
            out.add(
                    new IamPolicy.Statement(
                            s.path("Sid").asText(""),
                            !"Deny".equals(s.path("Effect").asText()),
                            strings(s.path("Action")),
                            strings(s.path("Resource")),
                            conditions,
                            source));
        }
        return out;
    }

    private List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(resolve(n)));
        } else if (!node.isMissingNode()) {
            out.add(resolve(node));
        }
        return out;
    }

    /** CloudFormation's intrinsic functions as far as IAM statements use them. */
    String resolve(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node instanceof ObjectNode o && o.size() == 1) {
            Map.Entry<String, JsonNode> f = o.fields().next();
            JsonNode arg = f.getValue();
            switch (f.getKey()) {
                case "Ref" -> {
                    return ref(arg.asText());
                }
                case "Fn::GetAtt" -> {
                    return getAtt(arg.path(0).asText(), arg.path(1).asText());
                }
                case "Fn::Join" -> {
                    StringBuilder b = new StringBuilder();
                    Iterator<JsonNode> parts = arg.path(1).elements();
                    while (parts.hasNext()) {
                        b.append(resolve(parts.next()));
                        if (parts.hasNext()) {
                            b.append(arg.path(0).asText());
                        }
                    }
                    return b.toString();
                }
                case "Fn::Sub" -> {
                    String text = arg.isTextual() ? arg.asText() : arg.path(0).asText();
                    var m = java.util.regex.Pattern.compile("\\$\\{([^}]+)}").matcher(text);
                    StringBuilder b = new StringBuilder();
                    while (m.find()) {
                        String v = m.group(1);
                        m.appendReplacement(
                                b,
                                java.util.regex.Matcher.quoteReplacement(
                                        v.contains(".")
                                                ? getAtt(
                                                        v.substring(0, v.indexOf('.')),
                                                        v.substring(v.indexOf('.') + 1))
                                                : ref(v)));
                    }
                    m.appendTail(b);
                    return b.toString();
                }
                default -> {
                    return "<" + f.getKey() + ">";
                }
            }
        }
        return "<" + node + ">";
    }

    private String ref(String id) {
        switch (id) {
            case "AWS::Partition":
                return "aws";
            case "AWS::Region":
                return RecordingInterceptor.REGION;
            case "AWS::AccountId":
                return RecordingInterceptor.ACCOUNT;
            case "AWS::URLSuffix":
                return "amazonaws.com";
            case "AWS::StackName":
                return stackName;
            default:
                break;
        }
        String type = resources.path(id).path("Type").asText();
        String name = name(id);
        return switch (type) {
            case "AWS::SNS::Topic" ->
                    "arn:aws:sns:"
                            + RecordingInterceptor.REGION
                            + ":"
                            + RecordingInterceptor.ACCOUNT
                            + ":"
                            + name;
            default -> name;
        };
    }

    private String getAtt(String id, String attribute) {
        String type = resources.path(id).path("Type").asText();
        String name = name(id);
        if (!attribute.equals("Arn")) {
            return "<" + id + "." + attribute + ">";
        }
        String account = RecordingInterceptor.REGION + ":" + RecordingInterceptor.ACCOUNT;
        return switch (type) {
            case "AWS::S3::Bucket" -> "arn:aws:s3:::" + name;
            case "AWS::DynamoDB::Table" -> "arn:aws:dynamodb:" + account + ":table/" + name;
            case "AWS::ECR::Repository" -> "arn:aws:ecr:" + account + ":repository/" + name;
            case "AWS::SQS::Queue" -> "arn:aws:sqs:" + account + ":" + name;
            case "AWS::SNS::Topic" -> "arn:aws:sns:" + account + ":" + name;
            case "AWS::Logs::LogGroup" -> "arn:aws:logs:" + account + ":log-group:" + name + ":*";
            case "AWS::KMS::Key" -> "arn:aws:kms:" + account + ":key/" + name;
            default -> "<" + id + ".Arn>";
        };
    }

    private final Map<String, String> cache = new HashMap<>();

    private String name(String id) {
        return cache.computeIfAbsent(
                id,
                i -> {
                    String bound = names.apply(i);
                    if (bound != null) {
                        return bound;
                    }
                    JsonNode props = resources.path(i).path("Properties");
                    for (String field :
                            List.of(
                                    "BucketName",
                                    "TableName",
                                    "RepositoryName",
                                    "TopicName",
                                    "Name")) {
                        if (props.path(field).isTextual()) {
                            return props.path(field).asText();
                        }
                    }
                    return "<" + i + ">";
                });
    }
}
