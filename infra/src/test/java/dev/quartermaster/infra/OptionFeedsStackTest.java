package dev.quartermaster.infra;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.contract.options.Option;
import dev.quartermaster.contract.options.OptionSource;
import dev.quartermaster.contract.options.OptionType;
import dev.quartermaster.contract.options.Options;
import dev.quartermaster.contract.options.Problems;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration table's "Feeds" column is true: an option's value reaches the function settings
 * it names.
 */
class OptionFeedsStackTest {
    @Test
    @SuppressWarnings("unchecked")
    void everyNumericOption_reachesTheSettingsItFeeds() {
        Map<String, Object> context =
                new HashMap<>(
                        Map.of(
                                "replication",
                                "[{\"region\":\"eu-central-1\"}]",
                                "homeRegion",
                                "us-east-1"));
        List<Option<?>> numeric = new ArrayList<>();
        for (Option<?> o : Options.ALL) {
            if (o.type() == OptionType.INT && !o.feeds().isEmpty()) {
                numeric.add(o);
                context.put(
                        o.key(),
                        Integer.toString(
                                notTheDefault((Option<Integer>) o))); // a value no default has
            }
        }
        Template t = StackFixture.template(context);
        List<Map<String, Object>> environments = new ArrayList<>();
        t.findResources("AWS::Lambda::Function")
                .values()
                .forEach(
                        f -> {
                            Map<String, Object> props = (Map<String, Object>) f.get("Properties");
                            Map<String, Object> env =
                                    (Map<String, Object>)
                                            props.getOrDefault("Environment", Map.of());
                            environments.add(
                                    (Map<String, Object>) env.getOrDefault("Variables", Map.of()));
                        });

        assertThat(numeric).hasSizeGreaterThan(8);
        for (Option<?> o : numeric) {
            for (Setting s : o.feeds()) {
                assertThat(environments)
                        .as(o.key() + " feeds " + s)
                        .anyMatch(env -> context.get(o.key()).equals(env.get(s.name())));
            }
        }
    }

    /** The default plus one, or minus one where that is out of range. */
    private static int notTheDefault(Option<Integer> o) {
        int up = o.defaultValue() + 1;
        Problems problems = new Problems();
        o.read(OptionSource.of(Map.of(o.key(), up)), problems);
        return problems.isEmpty() ? up : o.defaultValue() - 1;
    }
}
