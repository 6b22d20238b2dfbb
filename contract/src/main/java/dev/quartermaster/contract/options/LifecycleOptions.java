package dev.quartermaster.contract.options;

import dev.quartermaster.contract.LifecycleRules;

import static dev.quartermaster.contract.options.Options.KEEP_TAGGED_IMAGES;
import static dev.quartermaster.contract.options.Options.LIFECYCLE_RULES;
import static dev.quartermaster.contract.options.Options.UNTAGGED_EXPIRY_DAYS;

/**
 * The repositories' ECR lifecycle rules, protection first: {@code lifecycleRules} (ECR's rule
 * shape), else the two rules of {@code keepTaggedImages} and {@code untaggedExpiryDays}, which
 * apply only then.
 */
public record LifecycleOptions(LifecycleRules rules) {

    static LifecycleOptions read(OptionSource s, Problems problems) {
        LifecycleRules defaults =
                LifecycleRules.defaults(
                        UNTAGGED_EXPIRY_DAYS.read(s, problems),
                        KEEP_TAGGED_IMAGES.read(s, problems));
        String given = LIFECYCLE_RULES.read(s, problems);
        if (given.isBlank() || given.replace(" ", "").equals("[]")) {
            return new LifecycleOptions(defaults);
        }
        try {
            return new LifecycleOptions(LifecycleRules.parse(given));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return new LifecycleOptions(defaults);
        }
    }
}
