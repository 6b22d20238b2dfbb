package dev.quartermaster.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * bin/qm's rooms, enforced: {@code commands} (what an operator types), {@code local} (the local backends, the
 * agent that stands in for SSM, calling handlers), {@code release} (the release flow commands, demo and bench
 * share), {@code ops} (what status, alerts and report show), {@code bench}, {@code demo}. Only {@link Qm} knows the commands: none is used as a library.
 */
class RoomsTest {
    private static final String CLI = "dev.quartermaster.cli.";
    private static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quartermaster.cli");

    @Test
    void noCommand_isUsedAsALibrary() {
        noClasses().that().resideInAnyPackage(CLI + "local..", CLI + "release..", CLI + "bench..", CLI + "demo..", CLI + "ops..")
                .should().dependOnClassesThat().resideInAPackage(CLI + "commands..")
                .because("what two rooms share lives in local or release, not in a command").check(MAIN);
    }

    @Test
    void theLocalStandIns_andTheReleaseFlow_knowNoCommandBenchOrDemo() {
        noClasses().that().resideInAnyPackage(CLI + "local..", CLI + "release..", CLI + "ops..")
                .should().dependOnClassesThat().resideInAnyPackage(CLI + "bench..", CLI + "demo..", CLI + "commands..").check(MAIN);
        noClasses().that().resideInAPackage(CLI + "local..").should().dependOnClassesThat().resideInAPackage(CLI + "release..")
                .because("the release flow runs on the local stand-ins, not the other way round").check(MAIN);
    }
}
