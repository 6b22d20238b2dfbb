package dev.quartermaster.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API answers the loopback tests replay ({@code
 * src/test/resources/aws/<service>/<Operation>.json}) are shaped as the AWS SDK's own model of that
 * operation's output: every field, at every depth, is a member the SDK (the build's AWS SDK for
 * Java 2.x, generated from the service's model) unmarshals, spelled as on the wire. A misspelt
 * field would be dropped silently by the SDK and the test reading it would see nothing.
 */
class ApiFixturesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Each fixture of an ECR operation, read against the SDK's output shape of that operation. */
    static final List<String> ECR =
            List.of("DescribeImageSigningStatus", "DescribeImageReplicationStatus");

    @Test
    void ecrAnswers_useOnlyTheSdkModelsFields() throws Exception {
        for (String operation : ECR) {
            JsonNode fixture = fixture("aws/ecr/" + operation + ".json");
            SdkPojo output =
                    (SdkPojo)
                            Class.forName(
                                            "software.amazon.awssdk.services.ecr.model."
                                                    + operation
                                                    + "Response")
                                    .getMethod("builder")
                                    .invoke(null);
            assertThat(unknown(fixture, output.sdkFields(), operation))
                    .as("aws/ecr/%s.json against the SDK's %sResponse", operation, operation)
                    .isEmpty();
        }
    }

    @Test
    void unknown_namesAFieldTheModelLacks_atItsDepth() throws Exception {
        SdkPojo output =
                (SdkPojo)
                        Class.forName(
                                        "software.amazon.awssdk.services.ecr.model.DescribeImageSigningStatusResponse")
                                .getMethod("builder")
                                .invoke(null);
        JsonNode wrong =
                JSON.readTree(
                        "{\"repositoryName\":\"r\",\"signingStatuses\":[{\"status\":\"COMPLETE\",\"profileArn\":\"x\"}]}");

        assertThat(unknown(wrong, output.sdkFields(), "DescribeImageSigningStatus"))
                .containsExactly("DescribeImageSigningStatus.signingStatuses[].profileArn");
    }

    /**
     * The paths of {@code node}'s fields that {@code fields} (an SDK shape's members) does not
     * have.
     */
    static List<String> unknown(JsonNode node, List<SdkField<?>> fields, String path) {
        List<String> out = new ArrayList<>();
        Map<String, SdkField<?>> byWireName = new java.util.HashMap<>();
        for (SdkField<?> f : fields) {
            byWireName.put(f.locationName(), f);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            SdkField<?> f = byWireName.get(e.getKey());
            if (f == null) {
                out.add(path + "." + e.getKey());
            } else {
                out.addAll(value(e.getValue(), f, path + "." + e.getKey()));
            }
        }
        return out;
    }

    private static List<String> value(JsonNode v, SdkField<?> f, String path) {
        if (f.marshallingType() == MarshallingType.SDK_POJO) {
            return unknown(v, f.constructor().get().sdkFields(), path);
        }
        if (f.marshallingType() == MarshallingType.LIST) {
            SdkField<?> member = f.getRequiredTrait(ListTrait.class).memberFieldInfo();
            List<String> out = new ArrayList<>();
            for (JsonNode item : v) {
                out.addAll(value(item, member, path + "[]"));
            }
            return out.stream().distinct().toList();
        }
        if (f.marshallingType() == MarshallingType.MAP) {
            SdkField<?> member = f.getRequiredTrait(MapTrait.class).valueFieldInfo();
            List<String> out = new ArrayList<>();
            v.fields().forEachRemaining(e -> out.addAll(value(e.getValue(), member, path + "{}")));
            return out;
        }
        return List.of();
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = ApiFixturesTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
