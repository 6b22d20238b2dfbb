package dev.quartermaster.infra;

import dev.quartermaster.contract.Host;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;

import java.util.List;
import java.util.Map;

/**
 * How a function reaches the hosts: SSM SendCommand of one document, to the instances carrying one
 * of the given hosts' tags only (ssm:resourceTag, one statement per host: a tag's key and value
 * must match together), after resolving the tag to exactly one instance
 * (DescribeInstanceInformation has no resource-level permissions, so it is on *). Owned by neither
 * backups nor releases: each grants its functions its documents.
 */
final class HostCommands {
    private HostCommands() {}

    static void allowSend(QmFunction fn, ShellDocument doc, List<Host> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(
                    "no host to send " + doc.getNode().getPath() + " to");
        }
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("ssm:SendCommand"))
                                .resources(
                                        List.of(
                                                "arn:"
                                                        + Aws.PARTITION
                                                        + ":ssm:"
                                                        + Aws.REGION
                                                        + ":"
                                                        + Aws.ACCOUNT_ID
                                                        + ":document/"
                                                        + doc.name()))
                                .build());
        for (Host h : hosts) {
            fn.function()
                    .addToRolePolicy(
                            PolicyStatement.Builder.create()
                                    .effect(Effect.ALLOW)
                                    .actions(List.of("ssm:SendCommand"))
                                    .resources(
                                            List.of(
                                                    "arn:"
                                                            + Aws.PARTITION
                                                            + ":ec2:"
                                                            + Aws.REGION
                                                            + ":"
                                                            + Aws.ACCOUNT_ID
                                                            + ":instance/*"))
                                    .conditions(
                                            Map.of(
                                                    "StringEquals",
                                                    Map.of(
                                                            "ssm:resourceTag/" + h.tagKey(),
                                                            h.tagValue())))
                                    .build());
        }
        fn.function()
                .addToRolePolicy(
                        PolicyStatement.Builder.create()
                                .effect(Effect.ALLOW)
                                .actions(List.of("ssm:DescribeInstanceInformation"))
                                .resources(List.of("*"))
                                .build());
    }
}
