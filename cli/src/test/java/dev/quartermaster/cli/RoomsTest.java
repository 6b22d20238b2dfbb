package dev.quartermaster.cli;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.CanBeAnnotated;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * bin/qm's rooms, each named for what it holds, enforced; a new room fails {@link
 * #everyClass_isInANamedRoom} until it is named here. {@link Qm} alone at the top knows the
 * commands. The capabilities' rooms: {@code ops} (status, dead letters), {@code lifecycle} (preview
 * and transitions), {@code release} (release, rollback, history and the flow demo and bench share),
 * {@code replication} (the backfill), and {@code commands} (the others an operator types). Below
 * them {@code console} (where a command acts, how it prints) and {@code local} (the local backends,
 * the agent that stands in for SSM, cdk.json's context). Beside them {@code bench}, {@code demo}
 * and {@code crac} (the CRaC API the cold-start probe compiles against). No command is used as a
 * library; no room cycle.
 */
class RoomsTest {
    private static final String CLI = "dev.quartermaster.cli";
    private static final List<String> CAPABILITIES =
            List.of("commands", "ops", "lifecycle", "release", "replication");
    private static final List<String> BESIDE = List.of("bench", "demo", "crac");
    private static final List<String> BELOW = List.of("console", "local");
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages(CLI);

    private static String[] rooms(List<String> names) {
        return names.stream().map(n -> CLI + "." + n + "..").toArray(String[]::new);
    }

    private static List<String> all() {
        return Stream.of(CAPABILITIES, BESIDE, BELOW).flatMap(List::stream).toList();
    }

    @Test
    void everyClass_isInANamedRoom_andOnlyQmAtTheTop() {
        classes()
                .that()
                .resideInAPackage(CLI + "..")
                .and()
                .resideOutsideOfPackage(CLI)
                .should()
                .resideInAnyPackage(rooms(all()))
                .because("each room has its place: name a new one in RoomsTest")
                .check(MAIN);
        classes()
                .that()
                .resideInAPackage(CLI)
                .should()
                .haveNameMatching(CLI.replace(".", "\\.") + "\\.Qm(\\$.*)?")
                .because(
                        "the top holds the entry point only: what commands share lives in console or local")
                .check(MAIN);
        noClasses()
                .that()
                .resideOutsideOfPackage(CLI)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI)
                .because("only picocli and bin/qm call Qm")
                .check(MAIN);
    }

    @Test
    void noCommand_isUsedAsALibrary() {
        for (String room : all()) {
            noClasses()
                    .that()
                    .resideOutsideOfPackage(CLI + "." + room + "..")
                    .and()
                    .resideOutsideOfPackage(CLI)
                    .should()
                    .dependOnClassesThat(
                            JavaClass.Predicates.resideInAPackage(CLI + "." + room + "..")
                                    .and(CanBeAnnotated.Predicates.annotatedWith(Command.class)))
                    .because("what two rooms share lives in a class of its own, not in a command")
                    .check(MAIN);
        }
    }

    @Test
    void theLocalStandIns_knowNoOtherRoom_andTheConsoleOnlyThem() {
        List<String> aboveLocal =
                Stream.concat(
                                Stream.of("console"),
                                Stream.concat(CAPABILITIES.stream(), BESIDE.stream()))
                        .toList();
        noClasses()
                .that()
                .resideInAPackage(CLI + ".local..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(rooms(aboveLocal))
                .because(
                        "the commands, the demo and the bench run on the local stand-ins, not the other way round")
                .check(MAIN);
        noClasses()
                .that()
                .resideInAPackage(CLI + ".console..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        rooms(Stream.concat(CAPABILITIES.stream(), BESIDE.stream()).toList()))
                .check(MAIN);
    }

    @Test
    void theCapabilities_knowNoBenchOrDemo() {
        noClasses()
                .that()
                .resideInAnyPackage(rooms(CAPABILITIES))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(rooms(List.of("bench", "demo")))
                .because("the demo and the bench use the rooms, the rooms do not know them")
                .check(MAIN);
    }

    @Test
    void noRoom_isInACycle() {
        slices().matching(CLI + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
