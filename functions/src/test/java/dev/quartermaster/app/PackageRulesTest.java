package dev.quartermaster.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The package map, enforced. Features ({@code verify}, {@code backup}, {@code archive}, {@code release}) build on
 * shared ports ({@code registry}, {@code host}, {@code ledger}, {@code idempotency}) and {@code common}/{@code events},
 * never on each other; shared ports know no feature; {@code common} knows nothing of ours but the events it
 * parses; only {@code app} (the wiring bin/qm and the tests use) sees everything.
 */
class PackageRulesTest {
    private static final String ROOT = "dev.quartermaster.";
    private static final List<String> FEATURES = List.of("verify", "backup", "archive", "release", "lifecycle", "replication");
    private static final List<String> SHARED = List.of("registry", "host", "ledger", "idempotency");
    private static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quartermaster");

    @Test
    void aFeature_neverImportsAnotherFeature() {
        for (String feature : FEATURES) {
            String[] others = FEATURES.stream().filter(f -> !f.equals(feature)).map(f -> ROOT + f + "..").toArray(String[]::new);
            noClasses().that().resideInAPackage(ROOT + feature + "..").should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("features meet only through registry, host, ledger, idempotency, common and events")
                    .check(MAIN);
        }
    }

    @Test
    void sharedPortsAndCommon_knowNoFeature_andCommonKnowsNoPort() {
        String[] features = FEATURES.stream().map(f -> ROOT + f + "..").toArray(String[]::new);
        String[] shared = SHARED.stream().map(s -> ROOT + s + "..").toArray(String[]::new);
        noClasses().that().resideInAnyPackage(shared).should().dependOnClassesThat().resideInAnyPackage(features)
                .because("a shared port serves every feature and depends on none").check(MAIN);
        noClasses().that().resideInAPackage(ROOT + "common..").should().dependOnClassesThat().resideInAnyPackage(features)
                .because("common is what every function shares: settings, clients, alerts").check(MAIN);
        noClasses().that().resideInAPackage(ROOT + "common..").should().dependOnClassesThat().resideInAnyPackage(shared)
                .because("each port's own root builds its store; Platform keeps it (Platform.shared)").check(MAIN);
    }

    @Test
    void nothingButTheWiring_importsTheWiring() {
        noClasses().that().resideOutsideOfPackage(ROOT + "app..").should().dependOnClassesThat().resideInAPackage(ROOT + "app..")
                .check(MAIN);
    }
}
