package dev.quartermaster.upkeep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quartermaster.contract.Upkeep;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs a map's items into units by bytes, in the order given: a unit takes items until the next
 * one would take it past the map's unit bytes or unit items (an item heavier than a unit is a unit
 * of its own). The units are the entries of the JSON array the map's ItemReader reads; the
 * ItemBatcher gives each child a fixed number of them, so a batch is bounded by bytes (see {@link
 * Upkeep.MapSpec}). A unit is {@code {"bytes": n, "items": [...]}}.
 */
public final class Units {
    static final String BYTES = "bytes";
    static final String ITEMS = "items";

    private Units() {}

    public static ArrayNode pack(List<UpkeepJob.Item> items, Upkeep.MapSpec spec) {
        ArrayNode units = JsonNodeFactory.instance.arrayNode();
        ObjectNode unit = null;
        long bytes = 0;
        for (UpkeepJob.Item item : items) {
            long w = Math.max(0, item.bytes());
            if (unit == null
                    || unit.get(ITEMS).size() >= spec.unitItems()
                    || (bytes > 0 && bytes + w > spec.unitBytes())) {
                unit = units.addObject();
                unit.put(BYTES, 0L);
                unit.putArray(ITEMS);
                bytes = 0;
            }
            bytes += w;
            unit.put(BYTES, bytes);
            ((ArrayNode) unit.get(ITEMS)).add(item.json());
        }
        return units;
    }

    /** The items of the units a batch got ({@code Items} of the child's input), in order. */
    public static List<JsonNode> items(JsonNode units) {
        if (units == null || !units.isArray()) {
            throw new dev.quartermaster.events.MalformedEventException(
                    "a batch's Items must be the array of units the ItemBatcher passes");
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode u : units) {
            JsonNode inner = u.path(ITEMS);
            if (!inner.isArray()) {
                throw new dev.quartermaster.events.MalformedEventException(
                        "a unit must be {\"bytes\": n, \"items\": [...]}");
            }
            inner.forEach(out::add);
        }
        return out;
    }
}
