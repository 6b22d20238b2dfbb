package dev.quartermaster.contract.options;

/** What a cdk.json option holds, as the configuration table names it. */
public enum OptionType {
    INT("integer"),
    BOOL("boolean"),
    STRING("string"),
    ENUM("one of"),
    LIST("list"),
    JSON("JSON");

    private final String label;

    OptionType(String label) {
        this.label = label;
    }

    /** How the configuration table says it. */
    public String label() {
        return label;
    }
}
