package dev.quartermaster.contract.options;

import static dev.quartermaster.contract.options.Options.CLOUD_TRAIL;

/**
 * Running it: the alert log, who gets the alerts (e-mail, chat), and whether the stack makes the
 * CloudTrail trail the lifecycle guard hears.
 */
public record OperationsOptions(AlertOptions alerts, String cloudTrail) {

    static OperationsOptions read(OptionSource s, Problems problems) {
        return new OperationsOptions(AlertOptions.read(s, problems), CLOUD_TRAIL.read(s, problems));
    }
}
