package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One EC2 host Quartermaster acts on: its name (in release records and commands), how SSM finds it
 * (the one managed instance carrying {@code tagKey=tagValue}) and what it runs: the app (releases,
 * drift checks), the database (backups, drills, restores), or both. The stack, the functions
 * ({@link Setting#HOSTS}) and {@code bin/qm} read the same list: exactly one database host, at
 * least one app host.
 */
public record Host(String name, String tagKey, String tagValue, Set<Role> roles) {
    public enum Role {
        APP,
        DATABASE
    }

    /**
     * The host of a stack configured the way it was before hosts were a list: one host that runs
     * both.
     */
    public static final String DEFAULT_NAME = "host";

    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /** EC2 tag keys and values: up to 128 letters, digits, spaces and _ . : / = + - @. */
    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9 _.:/=+@-]{1,128}");

    private static final ObjectMapper JSON = new ObjectMapper();

    public Host {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "host name '"
                            + name
                            + "' must be 1-32 lowercase letters, digits and -, e.g. web-1");
        }
        for (String t : new String[] {tagKey, tagValue}) {
            if (t == null || !TAG.matcher(t).matches()) {
                throw new IllegalArgumentException(
                        "host "
                                + name
                                + ": tag '"
                                + t
                                + "' must be up to 128 letters, digits, spaces and _ . : / = + - @");
            }
        }
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException(
                    "host " + name + ": roles must name app, database or both");
        }
        roles = Set.copyOf(EnumSet.copyOf(roles));
    }

    public boolean runs(Role role) {
        return roles.contains(role);
    }

    /**
     * Parses and checks a list of hosts (JSON:
     * [{"name","tagKey","tagValue","roles":["app","database"]}]).
     *
     * @throws IllegalArgumentException saying what is wrong and how to fix it
     */
    public static List<Host> parseList(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "hosts: not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")",
                    e);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IllegalArgumentException(
                    "hosts: must be a non-empty JSON list of {name, tagKey, tagValue, roles}");
        }
        List<Host> hosts = new ArrayList<>();
        for (JsonNode h : root) {
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (JsonNode r : h.path("roles")) {
                try {
                    roles.add(Role.valueOf(r.asText().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "hosts: role '"
                                    + r.asText()
                                    + "' of "
                                    + h.path("name").asText()
                                    + " must be app or database");
                }
            }
            hosts.add(
                    new Host(
                            h.path("name").asText(null),
                            h.path("tagKey").asText(null),
                            h.path("tagValue").asText(null),
                            roles));
        }
        return checked(hosts);
    }

    /**
     * The list's rules: unique names and tags, exactly one database host, at least one app host.
     */
    public static List<Host> checked(List<Host> hosts) {
        Set<String> names = new HashSet<>();
        Set<String> tags = new HashSet<>();
        for (Host h : hosts) {
            if (!names.add(h.name())) {
                throw new IllegalArgumentException(
                        "hosts: the name " + h.name() + " is used twice");
            }
            if (!tags.add(h.tagKey() + "\n" + h.tagValue())) {
                throw new IllegalArgumentException(
                        "hosts: "
                                + h.name()
                                + " has the same tag as another host ("
                                + h.tagKey()
                                + "="
                                + h.tagValue()
                                + "); each host needs a tag of its own, or one command would reach two hosts");
            }
        }
        long databases = hosts.stream().filter(h -> h.runs(Role.DATABASE)).count();
        if (databases != 1) {
            throw new IllegalArgumentException(
                    "hosts: exactly one host must have the role database (the one backups dump), not "
                            + databases);
        }
        if (hosts.stream().noneMatch(h -> h.runs(Role.APP))) {
            throw new IllegalArgumentException(
                    "hosts: at least one host must have the role app (where releases go)");
        }
        return List.copyOf(hosts);
    }

    public static String toJson(List<Host> hosts) {
        ArrayNode list = JSON.createArrayNode();
        for (Host h : hosts) {
            ObjectNode o =
                    list.addObject()
                            .put("name", h.name())
                            .put("tagKey", h.tagKey())
                            .put("tagValue", h.tagValue());
            ArrayNode roles = o.putArray("roles");
            h.roles().stream().sorted().forEach(r -> roles.add(r.name().toLowerCase(Locale.ROOT)));
        }
        return list.toString();
    }

    /** The one host that runs the database. */
    public static Host database(List<Host> hosts) {
        return hosts.stream()
                .filter(h -> h.runs(Role.DATABASE))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host has the role database"));
    }

    public static List<Host> apps(List<Host> hosts) {
        return hosts.stream().filter(h -> h.runs(Role.APP)).toList();
    }

    /**
     * The app host a release goes to: the one named, or the only one when none is named.
     *
     * @throws IllegalArgumentException naming the app hosts to choose from
     */
    public static Host app(List<Host> hosts, String name) {
        List<Host> apps = apps(hosts);
        if (name == null || name.isBlank()) {
            if (apps.size() == 1) {
                return apps.get(0);
            }
            throw new IllegalArgumentException(
                    "the app runs on "
                            + apps.size()
                            + " hosts ("
                            + names(apps)
                            + "): name one with --host");
        }
        Optional<Host> h = apps.stream().filter(a -> a.name().equals(name)).findFirst();
        return h.orElseThrow(
                () ->
                        new IllegalArgumentException(
                                "no app host named '" + name + "'; app hosts: " + names(apps)));
    }

    private static String names(List<Host> hosts) {
        return String.join(", ", hosts.stream().map(Host::name).toList());
    }
}
