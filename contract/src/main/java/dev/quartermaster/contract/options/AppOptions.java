package dev.quartermaster.contract.options;

import static dev.quartermaster.contract.options.Options.FUNCTIONS_JARS;
import static dev.quartermaster.contract.options.Options.LOCK_FILE;
import static dev.quartermaster.contract.options.Options.STACK_NAME;

/**
 * The app around the stacks: the home stack's name, the deploy record's file, the function jars
 * synth packages.
 */
public record AppOptions(String stackName, String lockFile, String functionsJars) {

    public static AppOptions read(OptionSource s, Problems problems) {
        return new AppOptions(
                STACK_NAME.read(s, problems),
                LOCK_FILE.read(s, problems),
                FUNCTIONS_JARS.read(s, problems));
    }
}
