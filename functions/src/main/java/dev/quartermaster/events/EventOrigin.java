package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The account and region a function accepts events from: its own. An event naming another account or
 * region did not come from this stack's rules (a mis-wired cross-account bus, a hand-crafted invoke),
 * and is rejected. {@code account} null means no check (local runs, where sample events name a
 * placeholder account); the stack sets {@code EXPECTED_ACCOUNT} and Lambda sets {@code AWS_REGION}.
 */
public record EventOrigin(String account, String region, java.util.Set<String> alsoFrom) {

    public EventOrigin {
        alsoFrom = java.util.Set.copyOf(alsoFrom);
    }

    public EventOrigin(String account, String region) {
        this(account, region, java.util.Set.of());
    }

    public static EventOrigin any() {
        return new EventOrigin(null, null);
    }

    /** This origin, and events of these {@code account/region} pairs too (image-replication: its destinations' registries). */
    public EventOrigin alsoFrom(java.util.Collection<String> accountRegions) {
        java.util.Set<String> all = new java.util.HashSet<>(alsoFrom);
        all.addAll(accountRegions);
        return new EventOrigin(account, region, all);
    }

    /** The origin the settings name: no account (a local run) means no check. */
    public static EventOrigin of(String account, String region) {
        return account == null || account.isBlank() ? any() : new EventOrigin(account, region);
    }

    /** @throws MalformedEventException when the event names another account or region (or none) */
    public void check(JsonNode event) {
        if (account == null) {
            return;
        }
        String a = event.path("account").asText("");
        if (alsoFrom.contains(a + "/" + event.path("region").asText(""))) {
            return;
        }
        if (!account.equals(a)) {
            throw new MalformedEventException("event is for account '" + Validation.abbreviate(a) + "', not this function's " + account);
        }
        String r = event.path("region").asText("");
        if (region != null && !region.isBlank() && !region.equals(r)) {
            throw new MalformedEventException("event is for region '" + Validation.abbreviate(r) + "', not this function's " + region);
        }
    }
}
