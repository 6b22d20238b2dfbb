package dev.quartermaster.contract.options;

import static dev.quartermaster.contract.options.Options.*;

/** Running it: who gets the alerts by e-mail, and whether the stack makes the CloudTrail trail the lifecycle guard hears. */
public record OperationsOptions(String alertEmail, String cloudTrail) {

    static OperationsOptions read(OptionSource s, Problems problems) {
        return new OperationsOptions(ALERT_EMAIL.read(s, problems), CLOUD_TRAIL.read(s, problems));
    }
}
