package dev.quartermaster.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package map of the functions module, enforced; every package is named here, a new one fails
 * until it is. From the bottom: {@code events} (the typed envelopes, knowing nothing of ours),
 * {@code common} (settings, clients, alerts: it knows the events it parses, no port, no feature),
 * the shared ports ({@code registry}, {@code host}, {@code ledger}, {@code idempotency}), the
 * signature gate that two features share ({@code signature}), the features ({@code verify}, {@code
 * backup}, {@code archive}, {@code release}, {@code lifecycle}, {@code replication}), which never
 * import each other but by the arrows {@link #FEATURE_ARROWS} declares, and {@code app}, the wiring
 * bin/qm and the tests use, which nothing imports. No package cycle.
 */
class PackageRulesTest {
    private static final String ROOT = "dev.quartermaster.";
    private static final List<String> FEATURES =
            List.of("verify", "backup", "archive", "release", "lifecycle", "replication", "alerts");
    private static final List<String> SHARED =
            List.of("registry", "host", "ledger", "idempotency", "upkeep");

    /**
     * The arrows between features, each with its reason: lifecycle's guard asks the release switch
     * what runs; backup's schema-aware database return answers release's DatabaseReturn (a failed
     * release's database).
     */
    private static final Map<String, List<String>> FEATURE_ARROWS =
            Map.of("lifecycle", List.of("release"), "backup", List.of("release"));

    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.quartermaster");

    private static String[] packages(List<String> names) {
        return names.stream().map(n -> ROOT + n + "..").toArray(String[]::new);
    }

    @Test
    void everyPackage_isNamedInTheMap() {
        List<String> named =
                Stream.of(List.of("events", "common", "signature", "app"), SHARED, FEATURES)
                        .flatMap(List::stream)
                        .toList();
        classes()
                .that()
                .resideInAPackage("dev.quartermaster..")
                .and()
                .resideOutsideOfPackages(ROOT + "contract..", ROOT + "testkit..")
                .should()
                .resideInAnyPackage(packages(named))
                .because(
                        "each package has its place in the map: name a new one in PackageRulesTest")
                .check(MAIN);
    }

    @Test
    void theLayers_areCrossedDownwardsOnly() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("events")
                .definedBy(ROOT + "events..")
                .layer("common")
                .definedBy(ROOT + "common..")
                .layer("shared ports")
                .definedBy(packages(SHARED))
                .layer("signature")
                .definedBy(ROOT + "signature..")
                .layer("features")
                .definedBy(packages(FEATURES))
                .layer("wiring")
                .definedBy(ROOT + "app..")
                .whereLayer("wiring")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("features")
                .mayOnlyBeAccessedByLayers("wiring")
                .whereLayer("signature")
                .mayOnlyBeAccessedByLayers("features", "wiring")
                .whereLayer("shared ports")
                .mayOnlyBeAccessedByLayers("signature", "features", "wiring")
                .whereLayer("common")
                .mayOnlyBeAccessedByLayers("shared ports", "signature", "features", "wiring")
                .because(
                        "a package builds on those below it: a shared port serves every feature and knows none")
                .check(MAIN);
    }

    @Test
    void events_knowNothingOfOurs_notEvenCommon() {
        List<String> others =
                Stream.of(List.of("common", "signature", "app"), SHARED, FEATURES)
                        .flatMap(List::stream)
                        .toList();
        noClasses()
                .that()
                .resideInAPackage(ROOT + "events..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(others))
                .because(
                        "every package parses events; common.Text offers events' cleaning to the rest, not the other way round")
                .check(MAIN);
    }

    @Test
    void aFeature_neverImportsAnotherFeature_butByTheDeclaredArrows() {
        for (String feature : FEATURES) {
            List<String> allowed = FEATURE_ARROWS.getOrDefault(feature, List.of());
            List<String> others =
                    FEATURES.stream()
                            .filter(f -> !f.equals(feature) && !allowed.contains(f))
                            .toList();
            noClasses()
                    .that()
                    .resideInAPackage(ROOT + feature + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(packages(others))
                    .because(
                            "features meet only through the shared ports, signature, common and events")
                    .check(MAIN);
        }
    }

    @Test
    void noPackage_isInACycle() {
        slices().matching(ROOT + "(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
