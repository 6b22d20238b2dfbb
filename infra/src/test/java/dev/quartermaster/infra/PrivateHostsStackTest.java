package dev.quartermaster.infra;

import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.CfnVPCEndpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Private hosts: the VPC endpoints only with {@code privateHosts}, the S3 gateway always with them,
 * each endpoint's policy limited to this account, 443 from the hosts only.
 */
class PrivateHostsStackTest {
    static final String PRIVATE =
            "{\"vpcId\":\"vpc-0a1b2c3d4e5f60718\",\"subnets\":[\"subnet-0a1b2c3d4e5f60718\",\"subnet-1a2b3c4d\"],"
                    + "\"routeTables\":[\"rtb-0a1b2c3d4e5f60718\",\"rtb-1a2b3c4d\"]}";

    static String json(Object o) throws Exception {
        return Json.MAPPER.writeValueAsString(o);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> props(Object resource) {
        return (Map<String, Object>) ((Map<String, Object>) resource).get("Properties");
    }

    /** The service's short name (ecr.api, s3, …) of an endpoint's Fn::Join'ed service name. */
    static String service(Map<String, Object> p) throws Exception {
        String name = json(p.get("ServiceName"));
        int at = name.lastIndexOf("\".");
        return name.substring(at + 2, name.indexOf('"', at + 2));
    }

    @Test
    void withoutPrivateHosts_noEndpointAndNoGroup() throws Exception {
        Template t = StackFixture.template(Map.of());
        assertThat(t.findResources("AWS::EC2::VPCEndpoint")).isEmpty();
        assertThat(t.findResources("AWS::EC2::SecurityGroup")).isEmpty();
        // the hosts check is there all the same, expecting public addresses
        assertThat(json(t.findResources("AWS::SSM::Document")))
                .contains("QM_EXPECT_PRIVATE='false'")
                .contains("hosts-check");
    }

    @Test
    @SuppressWarnings("unchecked")
    void withPrivateHosts_everyInterfaceEndpointWithPrivateDns_andTheS3Gateway() throws Exception {
        Template t = StackFixture.template(Map.of("privateHosts", PRIVATE));
        Map<String, Map<String, Object>> endpoints = t.findResources("AWS::EC2::VPCEndpoint");
        List<String> interfaces = new ArrayList<>();
        List<String> gateways = new ArrayList<>();
        for (Object r : endpoints.values()) {
            Map<String, Object> p = props(r);
            assertThat(p.get("VpcId")).isEqualTo("vpc-0a1b2c3d4e5f60718");
            if ("Interface".equals(p.get("VpcEndpointType"))) {
                interfaces.add(service(p));
                assertThat(p.get("PrivateDnsEnabled")).isEqualTo(true);
                assertThat((List<Object>) p.get("SubnetIds"))
                        .containsExactly("subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d");
                assertThat((List<?>) p.get("SecurityGroupIds")).hasSize(1);
            } else {
                gateways.add(service(p));
                assertThat(p.get("VpcEndpointType")).isEqualTo("Gateway");
                assertThat((List<Object>) p.get("RouteTableIds"))
                        .containsExactly("rtb-0a1b2c3d4e5f60718", "rtb-1a2b3c4d");
            }
        }
        assertThat(interfaces)
                .containsExactlyInAnyOrder(
                        "ecr.api", "ecr.dkr", "ssm", "ssmmessages", "ec2messages", "logs", "sts");
        assertThat(gateways).containsExactly("s3");
        assertThat(json(t.findResources("AWS::SSM::Document")))
                .contains("QM_EXPECT_PRIVATE='true'");
    }

    @Test
    void kmsRepositories_addTheKmsEndpoint() throws Exception {
        Template t =
                StackFixture.template(
                        Map.of("privateHosts", PRIVATE, "repositoryEncryption", "KMS"));
        List<String> services = new ArrayList<>();
        for (Object r : t.findResources("AWS::EC2::VPCEndpoint").values()) {
            services.add(service(props(r)));
        }
        assertThat(services).contains("kms").hasSize(9);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyEndpointHasAPolicy_scopedToThisAccount() throws Exception {
        Template t = StackFixture.template(Map.of("privateHosts", PRIVATE));
        for (Object r : t.findResources("AWS::EC2::VPCEndpoint").values()) {
            Map<String, Object> p = props(r);
            String service = service(p);
            Map<String, Object> policy = (Map<String, Object>) p.get("PolicyDocument");
            assertThat(policy).as(service).isNotNull();
            List<Map<String, Object>> statements =
                    (List<Map<String, Object>>) policy.get("Statement");
            assertThat(statements).as(service).isNotEmpty();
            for (Map<String, Object> s : statements) {
                assertThat(s.get("Effect")).isEqualTo("Allow");
                String text = json(s);
                if (service.equals("s3") && text.contains("starport-layer-bucket")) {
                    // ECR's own layer bucket (the ECR user guide's minimum): read only, that bucket
                    // only
                    assertThat(s.get("Action")).isEqualTo(List.of("s3:GetObject"));
                    assertThat(text)
                            .contains(
                                    ":s3:::prod-\",{\"Ref\":\"AWS::Region\"},\"-starport-layer-bucket/*\"");
                    continue;
                }
                assertThat(json(s.get("Condition")))
                        .as(service + " " + s.get("Sid"))
                        .isEqualTo(
                                "{\"StringEquals\":{\"aws:PrincipalAccount\":{\"Ref\":\"AWS::AccountId\"}}}");
                if (service.startsWith("ecr.") && !s.get("Sid").equals("RegistryToken")) {
                    // pulls from this account's repositories only
                    assertThat(json(s.get("Resource")))
                            .contains(":ecr:")
                            .contains("{\"Ref\":\"AWS::AccountId\"},\":repository/*\"");
                }
                if (service.equals("s3")) {
                    // the backup and archive buckets, nothing else
                    assertThat(json(s.get("Resource")))
                            .contains("\"Backups")
                            .contains("\"Archive")
                            .doesNotContain("\"*\"");
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointsLetInOnly443_fromTheHostsGroup() throws Exception {
        Template t = StackFixture.template(Map.of("privateHosts", PRIVATE));
        Map<String, Map<String, Object>> ingress =
                t.findResources("AWS::EC2::SecurityGroupIngress");
        assertThat(ingress).hasSize(1);
        Map<String, Object> rule = props(ingress.values().iterator().next());
        assertThat(rule.get("IpProtocol")).isEqualTo("tcp");
        assertThat(rule.get("FromPort")).isEqualTo(443);
        assertThat(rule.get("ToPort")).isEqualTo(443);
        assertThat(rule).doesNotContainKey("CidrIp");
        // the group the stack made for the hosts (no hostSecurityGroups given), in its output
        String hostsGroup =
                t.findResources("AWS::EC2::SecurityGroup").keySet().stream()
                        .filter(k -> k.contains("HostsGroup"))
                        .findFirst()
                        .orElseThrow();
        assertThat(json(rule.get("SourceSecurityGroupId"))).contains(hostsGroup);
        assertThat(json(t.findOutputs("*"))).contains("HostsSecurityGroupId");
        for (Object g : t.findResources("AWS::EC2::SecurityGroup").values()) {
            assertThat((Map<String, Object>) props(g)).doesNotContainKey("SecurityGroupIngress");
            // CloudFormation's pattern for GroupDescription (cfn-lint E3031): no apostrophe
            assertThat((String) props(g).get("GroupDescription"))
                    .matches("^([a-z,A-Z,0-9,. _\\-:/()#,@\\[\\]+=&;\\{\\}!$*])*$");
        }
    }

    @Test
    void givenHostGroups_areLetInInstead() throws Exception {
        Template t =
                StackFixture.template(
                        Map.of(
                                "privateHosts",
                                PRIVATE.replace(
                                        "}",
                                        ",\"hostSecurityGroups\":[\"sg-0a1b2c3d4e5f60718\",\"sg-1a2b3c4d\"]}")));
        List<Object> sources = new ArrayList<>();
        for (Object r : t.findResources("AWS::EC2::SecurityGroupIngress").values()) {
            sources.add(props(r).get("SourceSecurityGroupId"));
        }
        assertThat(sources).containsExactlyInAnyOrder("sg-0a1b2c3d4e5f60718", "sg-1a2b3c4d");
        assertThat(t.findResources("AWS::EC2::SecurityGroup")).hasSize(1);
    }

    @Test
    void anEcrInterfaceEndpointWithoutTheS3Gateway_isRefusedAtSynth() {
        App app = new App();
        Stack stack = new Stack(app, "Trap");
        CfnVPCEndpoint.Builder.create(stack, "Dkr")
                .vpcId("vpc-0a1b2c3d4e5f60718")
                .serviceName(PrivateHosts.serviceName("ecr.dkr"))
                .vpcEndpointType("Interface")
                .subnetIds(List.of("subnet-0a1b2c3d4e5f60718"))
                .build();
        PrivateHosts.requireS3Gateway(stack);
        assertThatThrownBy(app::synth)
                .hasMessageContaining("Trap/Dkr")
                .hasMessageContaining("needs the S3 gateway endpoint");

        // with the gateway (on a route table, in the same VPC) it synthesises
        App ok = new App();
        Stack fine = new Stack(ok, "Fine");
        CfnVPCEndpoint.Builder.create(fine, "Dkr")
                .vpcId("vpc-0a1b2c3d4e5f60718")
                .serviceName(PrivateHosts.serviceName("ecr.dkr"))
                .vpcEndpointType("Interface")
                .subnetIds(List.of("subnet-0a1b2c3d4e5f60718"))
                .build();
        CfnVPCEndpoint.Builder.create(fine, "S3")
                .vpcId("vpc-0a1b2c3d4e5f60718")
                .serviceName(PrivateHosts.serviceName("s3"))
                .vpcEndpointType("Gateway")
                .routeTableIds(List.of("rtb-0a1b2c3d4e5f60718"))
                .build();
        PrivateHosts.requireS3Gateway(fine);
        assertThat(ok.synth().getStacks()).hasSize(1);
    }
}
