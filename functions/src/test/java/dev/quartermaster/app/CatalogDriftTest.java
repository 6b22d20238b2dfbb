package dev.quartermaster.app;

import dev.quartermaster.common.EventFunction;
import dev.quartermaster.common.Platform;
import dev.quartermaster.common.Settings;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import dev.quartermaster.contract.Setting;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue is the contract: every handler class it names loads, and each function, built the
 * way its Lambda constructor builds it, reads exactly the settings the catalogue lists for it: a
 * setting read but not listed (so not set by the stack) or listed but never read fails here. Unit
 * tier: no process is started and no client connects.
 */
class CatalogDriftTest {
    private static final Set<String> SETTING_NAMES =
            Arrays.stream(Setting.values()).map(Enum::name).collect(Collectors.toSet());

    static Stream<FunctionSpec> functions() {
        return Catalog.ALL.stream();
    }

    /** A value for every setting the stack can set, each one valid. */
    private static Map<String, String> everySetting() {
        Map<String, String> m = new HashMap<>();
        for (Setting s : Setting.values()) {
            m.put(
                    s.name(),
                    switch (s) {
                        case VERIFY_RULES -> "[]";
                        case REGISTRY_URL -> "https://123456789012.dkr.ecr.us-east-1.amazonaws.com";
                        case REGISTRY_AUTH -> "ecr";
                        case BACKUP_COMPRESSION -> "zstd";
                        case ALERT_TOPIC_ARN -> "arn:aws:sns:us-east-1:123456789012:alerts";
                        case EXPECTED_ACCOUNT -> "123456789012";
                        case RELEASE_REPOSITORY -> "wordpress";
                        case HOSTS -> s.defaultValue();
                        case SIGNING -> "managed";
                        case SIGNATURE_REQUIRED -> "[\"wordpress\"]";
                        case SIGNING_IDENTITIES ->
                                "[\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/qm\"]";
                        case SIGNING_TRUST_ROOTS, SIGNING_X509_TRUST_ROOTS ->
                                ""; // a path: read, and empty (no roots: every signature found
                        // would be untrusted)
                        case SIGNATURE_REVOCATION_CHECK -> "enforce";
                        case REPLICATION_DESTINATIONS ->
                                "[{\"region\":\"eu-central-1\",\"account\":\"123456789012\"}]";
                        case REPLICATION_REPOSITORIES -> "[\"wordpress\"]";
                        // a numeric setting (its default is a number) gets a number, every other
                        // one a marker of its own
                        default ->
                                s.defaultValue() != null && s.defaultValue().matches("-?[0-9]+")
                                        ? "1"
                                        : "x-" + s.name().toLowerCase();
                    });
        }
        m.put("AWS_REGION", "us-east-1");
        m.put("AWS_ACCESS_KEY_ID", "unit");
        m.put("AWS_SECRET_ACCESS_KEY", "unit");
        return m;
    }

    @ParameterizedTest
    @MethodSource("functions")
    void handlerClass_loadsAndIsAnEventFunction(FunctionSpec spec) throws Exception {
        assertThat(EventFunction.class.isAssignableFrom(Class.forName(spec.handlerClass())))
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("functions")
    void function_readsExactlyTheSettingsTheCatalogueLists(FunctionSpec spec) {
        Set<String> read = new ConcurrentSkipListSet<>();
        Platform platform = new Platform(Settings.of(everySetting()).recordingReadsInto(read::add));

        Handlers.create(spec.name(), Wiring.of(platform));

        Set<String> readSettings = new TreeSet<>(read);
        readSettings.retainAll(SETTING_NAMES);
        Set<String> listed =
                spec.settings().stream()
                        .map(Enum::name)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(readSettings)
                .as(spec.name() + " reads exactly what the catalogue lists (and the stack sets)")
                .isEqualTo(listed);
    }
}
