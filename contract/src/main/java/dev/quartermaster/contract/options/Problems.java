package dev.quartermaster.contract.options;

import java.util.ArrayList;
import java.util.List;

/** Every problem found in a configuration, each with how to fix it; reported all at once. */
public final class Problems {
    private final List<String> problems = new ArrayList<>();

    public void add(String problem) {
        problems.add(problem);
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(problems);
    }

    /**
     * @throws InvalidConfiguration naming every problem, when there is one
     */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidConfiguration(problems);
        }
    }

    /** The configuration is invalid: every problem, each with its fix. */
    public static final class InvalidConfiguration extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> problems;

        public InvalidConfiguration(List<String> problems) {
            super(
                    "Quartermaster configuration is invalid:\n  - "
                            + String.join("\n  - ", problems)
                            + "\nSet values in cdk.json under \"context\" or with -c key=value.");
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
