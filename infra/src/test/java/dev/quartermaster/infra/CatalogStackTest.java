package dev.quartermaster.infra;

import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stack side of the contract: it deploys exactly the catalogued functions, each with the
 * handler class, memory and timeout the catalogue names and exactly the settings the catalogue says
 * it reads (the functions' side is proven by CatalogDriftTest): nothing the stack sets goes unread,
 * and nothing a function reads is left unset.
 */
class CatalogStackTest {
    private static Map<String, Map<String, Object>> functions;

    @BeforeAll
    static void synth() {
        // with replication on, so the one optional function (image-replication) is deployed too
        Template t =
                StackFixture.template(
                        Map.of(
                                "replication",
                                "[{\"region\":\"eu-central-1\"}]",
                                "homeRegion",
                                "us-east-1"));
        functions = new HashMap<>();
        t.findResources("AWS::Lambda::Function")
                .values()
                .forEach(
                        f -> {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> props = (Map<String, Object>) f.get("Properties");
                            if (String.valueOf(props.get("Handler"))
                                    .startsWith("dev.quartermaster.")) {
                                functions.put(
                                        String.valueOf(props.get("Description"))
                                                .replace("Quartermaster ", ""),
                                        props);
                            }
                        });
    }

    @Test
    void stack_deploysExactlyTheCataloguedFunctions() {
        assertThat(functions.keySet()).containsExactlyInAnyOrderElementsOf(Catalog.names());
    }

    @Test
    void everyFunction_hasItsCataloguedHandlerMemoryAndTimeout() {
        for (FunctionSpec spec : Catalog.ALL) {
            Map<String, Object> f = functions.get(spec.name());
            assertThat(f.get("Handler")).as(spec.name()).isEqualTo(spec.handlerClass());
            assertThat(f.get("MemorySize")).as(spec.name()).isEqualTo(spec.memoryMb());
            assertThat(f.get("Timeout")).as(spec.name()).isEqualTo(spec.timeoutSeconds());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFunction_isDeployedFromItsFamilysJar() {
        Map<dev.quartermaster.contract.Bundle, Set<Object>> keys =
                new java.util.EnumMap<>(dev.quartermaster.contract.Bundle.class);
        for (FunctionSpec spec : Catalog.ALL) {
            Object key =
                    ((Map<String, Object>) functions.get(spec.name()).get("Code")).get("S3Key");
            keys.computeIfAbsent(spec.bundle(), b -> new java.util.HashSet<>()).add(key);
        }
        assertThat(keys).hasSize(dev.quartermaster.contract.Bundle.values().length);
        keys.forEach(
                (bundle, k) -> assertThat(k).as(bundle + ": one asset for the family").hasSize(1));
        assertThat(keys.values().stream().flatMap(Set::stream).distinct().count())
                .as("a different asset per family")
                .isEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFunction_getsExactlyTheSettingsItReads() {
        for (FunctionSpec spec : Catalog.ALL) {
            Map<String, Object> vars =
                    (Map<String, Object>)
                            ((Map<String, Object>) functions.get(spec.name()).get("Environment"))
                                    .get("Variables");
            Set<String> set = new TreeSet<>(vars.keySet());
            set.removeAll(QmFunction.RUNTIME_ENVIRONMENT);
            assertThat(set)
                    .as(spec.name())
                    .isEqualTo(
                            spec.settings().stream()
                                    .map(Enum::name)
                                    .collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    @Test
    void factory_whenAConstructForgetsASetting_failsTheSynthNamingIt() {
        var stack = new software.amazon.awscdk.Stack(new software.amazon.awscdk.App(), "Drift");
        var table =
                software.amazon.awscdk.services.dynamodb.Table.Builder.create(stack, "T")
                        .partitionKey(
                                software.amazon.awscdk.services.dynamodb.Attribute.builder()
                                        .name("pk")
                                        .type(
                                                software.amazon.awscdk.services.dynamodb
                                                        .AttributeType.STRING)
                                        .build())
                        .build();
        var alerting = new Alerting(stack, "A", Alerting.Props.builder().build());
        var factory =
                new FunctionFactory(
                        b -> software.amazon.awscdk.services.lambda.Code.fromInline("x"),
                        table,
                        alerting.topic(),
                        alerting.deadLetters(),
                        new FunctionFactory.AlertLog(
                                table, StackConfig.from(Map.of()).options().operations().alerts()));

        assertThatThrownBy(
                        () ->
                                factory.create(
                                        stack,
                                        Catalog.IMAGE_SCAN,
                                        Map.of(Setting.SCAN_MAX_CRITICAL, "0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing [HOSTS, RELEASE_REPOSITORY, SCAN_MAX_HIGH]");
        assertThatThrownBy(
                        () ->
                                factory.create(
                                        stack, Catalog.IMAGE_ACTION, Map.of(Setting.DATABASE, "x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not read by the function [DATABASE]");
    }
}
