package dev.quartermaster.infra;

import dev.quartermaster.contract.options.PrivateHostsOptions;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.CfnSecurityGroup;
import software.amazon.awscdk.services.ec2.CfnSecurityGroupIngress;
import software.amazon.awscdk.services.ec2.CfnVPCEndpoint;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;
import software.constructs.IConstruct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts in private subnets (seed 002): the VPC endpoints they reach AWS through, with no NAT and no
 * internet gateway. Interface endpoints (private DNS on, so the usual names resolve to their
 * addresses in the hosts' subnets) for ecr.api, ecr.dkr, ssm, ssmmessages, ec2messages, logs, sts,
 * and kms when the repositories use KMS; the S3 gateway endpoint on the hosts' route tables, always
 * with them (ECR serves image layers from S3: without the gateway a pull authenticates and then
 * hangs); a security group on the interface endpoints that lets the hosts' security groups in on
 * 443 and nothing else. Each endpoint has a policy limited to this account's principals and
 * resources.
 *
 * <p>Built from CloudFormation-level constructs with the VPC, subnet and route table ids as given:
 * {@code Vpc.fromLookup} would need credentials at synth. Sources:
 *
 * <ul>
 *   <li>Amazon ECR User Guide, "Amazon ECR interface VPC endpoints (AWS PrivateLink)": both
 *       com.amazonaws.&lt;region&gt;.ecr.api and .ecr.dkr are needed; private DNS; the endpoints'
 *       security group must allow 443 from the hosts; the S3 gateway endpoint is required because
 *       image layers are in S3; "Minimum Amazon S3 bucket permissions for Amazon ECR": s3:GetObject
 *       on arn:aws:s3:::prod-&lt;region&gt;-starport-layer-bucket/*; the CloudWatch Logs endpoint.
 *   <li>AWS Systems Manager User Guide, "Improve the security of EC2 instances by using VPC
 *       endpoints for Systems Manager": ssm, ssmmessages, ec2messages.
 *   <li>AWS PrivateLink Guide, "Control access to VPC endpoints using endpoint policies", and the
 *       IAM User Guide's global condition key aws:PrincipalAccount.
 *   <li>CloudFormation AWS::EC2::VPCEndpoint (VpcEndpointType Interface | Gateway, SubnetIds,
 *       RouteTableIds, SecurityGroupIds, PrivateDnsEnabled, PolicyDocument) and
 *       AWS::EC2::SecurityGroupIngress (SourceSecurityGroupId).
 * </ul>
 */
public final class PrivateHosts extends Construct {
    /** The interface endpoints every private host needs, by the service's short name. */
    static final List<String> INTERFACE_SERVICES =
            List.of("ecr.api", "ecr.dkr", "ssm", "ssmmessages", "ec2messages", "logs", "sts");

    public record Props(
            PrivateHostsOptions options, boolean kms, IBucket backups, IBucket archive) {}

    private final Map<String, CfnVPCEndpoint> interfaces = new LinkedHashMap<>();
    private final CfnVPCEndpoint s3Gateway;
    private final CfnSecurityGroup endpointGroup;
    private final List<String> hostGroups = new ArrayList<>();

    public PrivateHosts(Construct scope, String id, Props props) {
        super(scope, id);
        PrivateHostsOptions o = props.options();
        if (!o.enabled()) {
            throw new IllegalArgumentException("PrivateHosts needs the privateHosts option");
        }
        this.endpointGroup =
                CfnSecurityGroup.Builder.create(this, "EndpointGroup")
                        .vpcId(o.vpcId())
                        .groupDescription(
                                "Quartermaster VPC endpoints: HTTPS (443) from the hosts security groups only")
                        .build();
        if (o.hostSecurityGroups().isEmpty()) {
            // no group given: one the operator attaches to the hosts (it lets nothing in)
            CfnSecurityGroup hosts =
                    CfnSecurityGroup.Builder.create(this, "HostsGroup")
                            .vpcId(o.vpcId())
                            .groupDescription(
                                    "Quartermaster hosts: attach to each host so it may reach the VPC endpoints")
                            .build();
            hostGroups.add(hosts.getAttrGroupId());
            CfnOutput.Builder.create(this, "HostsSecurityGroupId")
                    .description(
                            "attach this security group to every host: the VPC endpoints let it in on 443")
                    .value(hosts.getAttrGroupId())
                    .build();
        } else {
            hostGroups.addAll(o.hostSecurityGroups());
        }
        for (int i = 0; i < hostGroups.size(); i++) {
            CfnSecurityGroupIngress.Builder.create(this, "HttpsFromHosts" + i)
                    .groupId(endpointGroup.getAttrGroupId())
                    .ipProtocol("tcp")
                    .fromPort(443)
                    .toPort(443)
                    .sourceSecurityGroupId(hostGroups.get(i))
                    .description("HTTPS from the Quartermaster hosts to the VPC endpoints")
                    .build();
        }
        List<String> services = new ArrayList<>(INTERFACE_SERVICES);
        if (props.kms()) {
            services.add("kms");
        }
        for (String service : services) {
            interfaces.put(
                    service,
                    CfnVPCEndpoint.Builder.create(this, QuartermasterStack.pascal(service))
                            .vpcId(o.vpcId())
                            .serviceName(serviceName(service))
                            .vpcEndpointType("Interface")
                            .privateDnsEnabled(true)
                            .subnetIds(o.subnets())
                            .securityGroupIds(List.of(endpointGroup.getAttrGroupId()))
                            .policyDocument(interfacePolicy(service))
                            .build());
        }
        this.s3Gateway =
                CfnVPCEndpoint.Builder.create(this, "S3Gateway")
                        .vpcId(o.vpcId())
                        .serviceName(serviceName("s3"))
                        .vpcEndpointType("Gateway")
                        .routeTableIds(o.routeTables())
                        .policyDocument(s3Policy(props.backups(), props.archive()))
                        .build();
        requireS3Gateway(Stack.of(this));
    }

    /**
     * Refuses to synthesise {@code stack} when it has the seed's trap ({@link #layerPathProblems}).
     */
    static void requireS3Gateway(Stack stack) {
        stack.getNode().addValidation(() -> layerPathProblems(stack));
    }

    static String serviceName(String service) {
        return "com.amazonaws." + Aws.REGION + "." + service;
    }

    /**
     * The DNS names a host resolves for each interface endpoint (what private DNS answers with the
     * endpoint's addresses): ECR's registry name carries the account.
     */
    public static List<String> interfaceNames(boolean kms) {
        List<String> names = new ArrayList<>();
        List<String> services = new ArrayList<>(INTERFACE_SERVICES);
        if (kms) {
            services.add("kms");
        }
        for (String s : services) {
            names.add(
                    switch (s) {
                        case "ecr.api" -> "api.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX;
                        case "ecr.dkr" ->
                                Aws.ACCOUNT_ID + ".dkr.ecr." + Aws.REGION + "." + Aws.URL_SUFFIX;
                        default -> s + "." + Aws.REGION + "." + Aws.URL_SUFFIX;
                    });
        }
        return names;
    }

    /** S3's regional name: reached through the gateway endpoint's route, at public addresses. */
    public static String s3Name() {
        return "s3." + Aws.REGION + "." + Aws.URL_SUFFIX;
    }

    private static Map<String, Object> thisAccount() {
        return Map.of("StringEquals", Map.of("aws:PrincipalAccount", Aws.ACCOUNT_ID));
    }

    private static Map<String, Object> statement(
            String sid, List<String> actions, List<String> resources, boolean ownAccount) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Sid", sid);
        s.put("Effect", "Allow");
        s.put("Principal", "*");
        s.put("Action", actions);
        s.put("Resource", resources);
        if (ownAccount) {
            s.put("Condition", thisAccount());
        }
        return s;
    }

    private static Map<String, Object> document(List<Map<String, Object>> statements) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("Version", "2012-10-17");
        d.put("Statement", statements);
        return d;
    }

    /**
     * ECR (both endpoints): a registry token for this account's principals, and the pull actions on
     * this account's repositories only; the other services: this account's principals only.
     */
    static Map<String, Object> interfacePolicy(String service) {
        if (service.startsWith("ecr.")) {
            String repositories =
                    "arn:"
                            + Aws.PARTITION
                            + ":ecr:"
                            + Aws.REGION
                            + ":"
                            + Aws.ACCOUNT_ID
                            + ":repository/*";
            return document(
                    List.of(
                            statement(
                                    "RegistryToken",
                                    List.of("ecr:GetAuthorizationToken"),
                                    List.of("*"),
                                    true),
                            statement(
                                    "PullFromThisAccount",
                                    List.of(
                                            "ecr:BatchGetImage",
                                            "ecr:GetDownloadUrlForLayer",
                                            "ecr:BatchCheckLayerAvailability",
                                            "ecr:BatchImportUpstreamImage",
                                            "ecr:CreateRepository"),
                                    List.of(repositories),
                                    true)));
        }
        return document(List.of(statement("ThisAccountOnly", List.of("*"), List.of("*"), true)));
    }

    /**
     * S3: ECR's layer bucket (read only; the layer URLs ECR hands out are presigned by ECR, so no
     * account condition can hold), and the backup and archive buckets for this account's
     * principals.
     */
    static Map<String, Object> s3Policy(IBucket backups, IBucket archive) {
        return document(
                List.of(
                        statement(
                                "EcrImageLayers",
                                List.of("s3:GetObject"),
                                List.of(
                                        "arn:"
                                                + Aws.PARTITION
                                                + ":s3:::prod-"
                                                + Aws.REGION
                                                + "-starport-layer-bucket/*"),
                                false),
                        statement(
                                "QuartermasterBuckets",
                                List.of(
                                        "s3:GetObject",
                                        "s3:GetObjectVersion",
                                        "s3:PutObject",
                                        "s3:DeleteObject",
                                        "s3:AbortMultipartUpload",
                                        "s3:ListBucket"),
                                List.of(
                                        backups.getBucketArn(),
                                        backups.arnForObjects("*"),
                                        archive.getBucketArn(),
                                        archive.arnForObjects("*")),
                                true)));
    }

    /**
     * The seed's trap, refused at synth: an ECR interface endpoint in a VPC without an S3 gateway
     * endpoint on at least one route table (a pull would authenticate, then hang on the layers).
     */
    static List<String> layerPathProblems(IConstruct scope) {
        List<CfnVPCEndpoint> endpoints = new ArrayList<>();
        for (IConstruct c : scope.getNode().findAll()) {
            if (c instanceof CfnVPCEndpoint e) {
                endpoints.add(e);
            }
        }
        List<String> problems = new ArrayList<>();
        for (CfnVPCEndpoint e : endpoints) {
            boolean ecr =
                    "Interface".equals(e.getVpcEndpointType())
                            && (e.getServiceName().endsWith(".ecr.dkr")
                                    || e.getServiceName().endsWith(".ecr.api"));
            if (!ecr) {
                continue;
            }
            boolean gateway =
                    endpoints.stream()
                            .anyMatch(
                                    g ->
                                            "Gateway".equals(g.getVpcEndpointType())
                                                    && g.getServiceName().endsWith(".s3")
                                                    && g.getVpcId().equals(e.getVpcId())
                                                    && g.getRouteTableIds() != null
                                                    && !g.getRouteTableIds().isEmpty());
            if (!gateway) {
                problems.add(
                        e.getNode().getPath()
                                + ": an ECR interface endpoint needs the S3 gateway endpoint on the hosts' route tables in the same VPC"
                                + " (ECR serves image layers from S3: without it a pull logs in, then hangs)");
            }
        }
        return problems;
    }

    public Map<String, CfnVPCEndpoint> interfaces() {
        return interfaces;
    }

    public CfnVPCEndpoint s3Gateway() {
        return s3Gateway;
    }

    public CfnSecurityGroup endpointGroup() {
        return endpointGroup;
    }
}
