package dev.quartermaster.contract.options;

import dev.quartermaster.contract.RuleFormat;

import static dev.quartermaster.contract.options.Options.SCAN_MAX_CRITICAL;
import static dev.quartermaster.contract.options.Options.SCAN_MAX_HIGH;
import static dev.quartermaster.contract.options.Options.VERIFY_RULES;

/** What a pushed image is checked against: the version rules and the scan gate's limits. */
public record ImageCheckOptions(String verifyRules, int scanMaxCritical, int scanMaxHigh) {

    static ImageCheckOptions read(OptionSource s, Problems problems) {
        String rules = VERIFY_RULES.read(s, problems);
        RuleFormat.problem(rules).ifPresent(e -> problems.add(VERIFY_RULES + ": " + e));
        return new ImageCheckOptions(
                rules, SCAN_MAX_CRITICAL.read(s, problems), SCAN_MAX_HIGH.read(s, problems));
    }
}
