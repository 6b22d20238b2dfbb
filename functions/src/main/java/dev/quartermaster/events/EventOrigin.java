package dev.quartermaster.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The account and region a function accepts events from: its own. An event naming another account
 * or region did not come from this stack's rules (a mis-wired cross-account bus, a hand-crafted
 * invoke), and is rejected. {@code account} null means no check (local runs, where sample events
 * name a placeholder account); the stack sets {@code EXPECTED_ACCOUNT} and Lambda sets {@code
 * AWS_REGION}.
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

    /**
     * This origin, and events of these {@code account/region} pairs too (image-replication: its
     * destinations' registries).
     */
    public EventOrigin alsoFrom(java.util.Collection<String> accountRegions) {
        java.util.Set<String> all = new java.util.HashSet<>(alsoFrom);
        all.addAll(accountRegions);
        return new EventOrigin(account, region, all);
    }

    /** The origin the settings name: no account (a local run) means no check. */
    public static EventOrigin of(String account, String region) {
        return account == null || account.isBlank() ? any() : new EventOrigin(account, region);
    }

    /**
     * A resource the event is about must be in this account: Amazon Inspector's delegated
     * administrator receives its members' events on its own bus (the envelope names the
     * administrator), so a member's repository of the same name would otherwise be recorded as
     * ours. No account configured (a local run) accepts any.
     *
     * @param owner the account in the resource's ARN; {@code what} names the resource for the
     *     reason
     * @throws MalformedEventException when the resource is in another account
     */
    public void requireOwn(String owner, String what) {
        if (account != null && !account.equals(owner)) {
            throw new MalformedEventException(
                    what
                            + " is in account "
                            + Validation.abbreviate(owner)
                            + ", not this stack's "
                            + account
                            + " (an Inspector delegated administrator receives its members' events; only this account's repositories are recorded)");
        }
    }

    /**
     * @throws MalformedEventException when the event names another account or region (or none)
     */
    public void check(JsonNode event) {
        if (account == null) {
            return;
        }
        String a = event.path("account").asText("");
        if (alsoFrom.contains(a + "/" + event.path("region").asText(""))) {
            return;
        }
        if (!account.equals(a)) {
            throw new MalformedEventException(
                    "event is for account '"
                            + Validation.abbreviate(a)
                            + "', not this function's "
                            + account);
        }
        String r = event.path("region").asText("");
        if (region != null && !region.isBlank() && !region.equals(r)) {
            throw new MalformedEventException(
                    "event is for region '"
                            + Validation.abbreviate(r)
                            + "', not this function's "
                            + region);
        }
    }
}
