package dev.quartermaster.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No package cycle in the modules without package rules of their own (functions has
 * PackageRulesTest, this module RoomsTest): each is on this module's test class path, so one place
 * checks them all, each package a slice.
 */
class ModuleCyclesTest {
    @ParameterizedTest
    @ValueSource(strings = {"contract", "testkit", "infra"})
    void aModule_hasNoPackageCycle(String module) {
        JavaClasses classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.quartermaster." + module);
        assertThat(classes)
                .as("the " + module + " module's classes are on the class path")
                .isNotEmpty();
        slices().matching("dev.quartermaster.(**)").should().beFreeOfCycles().check(classes);
    }
}
