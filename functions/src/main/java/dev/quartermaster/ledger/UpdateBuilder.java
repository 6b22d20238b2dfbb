package dev.quartermaster.ledger;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds update expressions with placeholder names, so no attribute collides with a reserved word.
 */
final class UpdateBuilder {
    private final List<String> sets = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final List<String> deletes = new ArrayList<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, AttributeValue> values = new LinkedHashMap<>();
    private String condition;

    /**
     * A condition on the item: {@code template} with %1$s for the attribute's name, %2$s for the
     * value; a second condition must hold as well (AND).
     */
    void condition(String template, String attr, AttributeValue v) {
        String c = "(" + String.format(template, name(attr), value(v)) + ")";
        condition = condition == null ? c : condition + " AND " + c;
    }

    private String name(String attr) {
        String p = "#a" + names.size();
        names.put(p, attr);
        return p;
    }

    private String value(AttributeValue v) {
        String p = ":v" + values.size();
        values.put(p, v);
        return p;
    }

    void set(String attr, AttributeValue v) {
        sets.add(name(attr) + " = " + value(v));
    }

    void setIfNotExists(String attr, AttributeValue v) {
        String n = name(attr);
        sets.add(n + " = if_not_exists(" + n + ", " + value(v) + ")");
    }

    void add(String attr, AttributeValue v) {
        adds.add(name(attr) + " " + value(v));
    }

    void delete(String attr, AttributeValue v) {
        deletes.add(name(attr) + " " + value(v));
    }

    String expression() {
        StringBuilder sb = new StringBuilder();
        if (!sets.isEmpty()) {
            sb.append("SET ").append(String.join(", ", sets));
        }
        if (!adds.isEmpty()) {
            sb.append(" ADD ").append(String.join(", ", adds));
        }
        if (!deletes.isEmpty()) {
            sb.append(" DELETE ").append(String.join(", ", deletes));
        }
        return sb.toString().trim();
    }

    Update toUpdate(String table, Map<String, AttributeValue> key) {
        return Update.builder()
                .tableName(table)
                .key(key)
                .updateExpression(expression())
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest toUpdateRequest(
            String table, Map<String, AttributeValue> key) {
        return software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest.builder()
                .tableName(table)
                .key(key)
                .updateExpression(expression())
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }
}
