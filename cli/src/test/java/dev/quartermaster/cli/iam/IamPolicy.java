package dev.quartermaster.cli.iam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The identity policy statements of one role, evaluated as IAM does for a single call: an explicit
 * Deny wins, then any Allow whose action, resource and conditions match; nothing else is allowed.
 * Conditions are understood for the keys a call records ({@code StringEquals}/{@code StringLike}
 * and their {@code ForAnyValue:} forms); a statement with a condition on a key the call does not
 * carry does not match, as IAM treats a missing key.
 */
public final class IamPolicy {
    /** One statement, its intrinsic functions already resolved to strings. */
    public record Statement(
            String sid,
            boolean allow,
            List<String> actions,
            List<String> resources,
            Map<String, Map<String, List<String>>> conditions,
            String source) {
        boolean matches(AwsCall call) {
            return actions.stream()
                            .anyMatch(
                                    a ->
                                            like(
                                                    a.toLowerCase(Locale.ROOT),
                                                    call.action().toLowerCase(Locale.ROOT)))
                    && resources.stream().anyMatch(r -> like(r, call.resource()))
                    && conditionsHold(call);
        }

        private boolean conditionsHold(AwsCall call) {
            for (var op : conditions.entrySet()) {
                String operator = op.getKey().replace("ForAnyValue:", "");
                for (var key : op.getValue().entrySet()) {
                    String value = call.context().get(key.getKey());
                    if (value == null) {
                        return false;
                    }
                    boolean any =
                            switch (operator) {
                                case "StringEquals" -> key.getValue().contains(value);
                                case "StringLike" ->
                                        key.getValue().stream().anyMatch(p -> like(p, value));
                                default -> false;
                            };
                    if (!any) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** What the statement grants, for the report of grants no call used. */
        public String describe() {
            return (allow ? "" : "DENY ")
                    + String.join(",", actions)
                    + " on "
                    + String.join(",", resources)
                    + (conditions.isEmpty() ? "" : " if " + conditions)
                    + " ("
                    + source
                    + ")";
        }
    }

    private final String principal;
    private final List<Statement> statements;

    public IamPolicy(String principal, List<Statement> statements) {
        this.principal = principal;
        this.statements = List.copyOf(statements);
    }

    public String principal() {
        return principal;
    }

    public List<Statement> statements() {
        return statements;
    }

    public boolean allows(AwsCall call) {
        if (statements.stream().anyMatch(s -> !s.allow() && s.matches(call))) {
            return false;
        }
        return statements.stream().anyMatch(s -> s.allow() && s.matches(call));
    }

    /** The Allow statements and, within each, the actions that none of {@code calls} needed. */
    public List<String> unused(List<AwsCall> calls) {
        List<String> out = new ArrayList<>();
        for (Statement s : statements) {
            if (!s.allow()) {
                continue;
            }
            for (String action : s.actions()) {
                Statement one =
                        new Statement(
                                s.sid(),
                                true,
                                List.of(action),
                                s.resources(),
                                s.conditions(),
                                s.source());
                if (calls.stream().noneMatch(one::matches)) {
                    out.add(
                            action
                                    + " on "
                                    + String.join(",", s.resources())
                                    + " ("
                                    + s.source()
                                    + ")");
                }
            }
        }
        return out;
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one character. */
    static boolean like(String pattern, String value) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
    }
}
