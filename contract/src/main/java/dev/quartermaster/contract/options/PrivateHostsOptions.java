package dev.quartermaster.contract.options;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Hosts in private subnets (seed 002): the VPC they live in, the subnets the interface endpoints
 * get an address in (one per Availability Zone the hosts use), the route tables the S3 gateway
 * endpoint is added to, and the security groups the hosts carry (empty: the stack makes one for the
 * operator to attach). {@link #NONE} when {@code privateHosts} is not set: the hosts reach AWS over
 * the internet, and the stack adds no endpoint.
 */
public record PrivateHostsOptions(
        String vpcId,
        List<String> subnets,
        List<String> routeTables,
        List<String> hostSecurityGroups) {
    /** Not set: no endpoints. */
    public static final PrivateHostsOptions NONE =
            new PrivateHostsOptions("", List.of(), List.of(), List.of());

    // EC2's resource ids: the prefix, then 8 (older) or 17 lowercase hex digits (EC2 API reference,
    // "Resource IDs")
    static final Pattern VPC = Pattern.compile("vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    static final Pattern SUBNET = Pattern.compile("subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    static final Pattern ROUTE_TABLE = Pattern.compile("rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    static final Pattern SECURITY_GROUP = Pattern.compile("sg-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    static final Set<String> FIELDS =
            Set.of("vpcId", "subnets", "routeTables", "hostSecurityGroups");

    /** An interface endpoint's ENIs live in at most one subnet per Availability Zone. */
    static final int MAX_SUBNETS = 16;

    /**
     * A security group rule names one source group; five groups is the default per network
     * interface.
     */
    static final int MAX_HOST_GROUPS = 5;

    public PrivateHostsOptions {
        subnets = List.copyOf(subnets);
        routeTables = List.copyOf(routeTables);
        hostSecurityGroups = List.copyOf(hostSecurityGroups);
    }

    /** Whether the hosts are private (the option is set). */
    public boolean enabled() {
        return !vpcId.isEmpty();
    }

    static PrivateHostsOptions read(OptionSource s, Problems problems) {
        String given = Options.PRIVATE_HOSTS.read(s, problems);
        String key = Options.PRIVATE_HOSTS.key();
        String example =
                " (e.g. -c '"
                        + key
                        + "={\"vpcId\":\"vpc-0a1b2c3d4e5f60718\",\"subnets\":[\"subnet-0a1b2c3d4e5f60718\"],"
                        + "\"routeTables\":[\"rtb-0a1b2c3d4e5f60718\"]}')";
        if (given == null
                || given.replace(" ", "").isEmpty()
                || given.replace(" ", "").equals("{}")) {
            return NONE;
        }
        JsonNode c;
        try {
            c = Option.JSON.readTree(given);
        } catch (IOException e) {
            c = null;
        }
        if (c == null || !c.isObject()) {
            problems.add(key + ": must be a JSON object" + example);
            return NONE;
        }
        int before = problems.list().size();
        for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(
                        key + ": unknown field '" + safe(name) + "'; the fields are " + FIELDS);
            }
        }
        String vpc = c.path("vpcId").isTextual() ? c.path("vpcId").asText() : "";
        if (!VPC.matcher(vpc).matches()) {
            problems.add(
                    key
                            + ": vpcId '"
                            + safe(vpc)
                            + "' is not a VPC id (vpc-, then 8 or 17 lowercase hex digits)"
                            + example);
        }
        List<String> subnets =
                ids(c, "subnets", SUBNET, "subnet-", true, MAX_SUBNETS, key, example, problems);
        List<String> tables =
                ids(c, "routeTables", ROUTE_TABLE, "rtb-", true, 200, key, example, problems);
        List<String> groups =
                ids(
                        c,
                        "hostSecurityGroups",
                        SECURITY_GROUP,
                        "sg-",
                        false,
                        MAX_HOST_GROUPS,
                        key,
                        example,
                        problems);
        if (problems.list().size() > before) {
            return NONE;
        }
        return new PrivateHostsOptions(vpc, subnets, tables, groups);
    }

    private static List<String> ids(
            JsonNode c,
            String field,
            Pattern pattern,
            String prefix,
            boolean required,
            int max,
            String key,
            String example,
            Problems problems) {
        JsonNode list = c.path(field);
        List<String> out = new ArrayList<>();
        if (list.isMissingNode() && !required) {
            return out;
        }
        if (!list.isArray() || (required && list.isEmpty())) {
            problems.add(
                    key
                            + ": "
                            + field
                            + " must be a non-empty list of "
                            + prefix
                            + "… ids"
                            + example);
            return out;
        }
        for (JsonNode n : list) {
            String id = n.isTextual() ? n.asText() : n.toString();
            if (!pattern.matcher(id).matches()) {
                problems.add(
                        key
                                + ": "
                                + field
                                + ": '"
                                + safe(id)
                                + "' is not an id of the form "
                                + prefix
                                + " and 8 or 17 lowercase hex digits");
            } else if (out.contains(id)) {
                problems.add(key + ": " + field + ": " + id + " is listed twice");
            } else {
                out.add(id);
            }
        }
        if (out.size() > max) {
            problems.add(key + ": " + field + ": at most " + max + ", not " + out.size());
        }
        return out;
    }

    /** A value quoted back in a message: short, printable. */
    private static String safe(String v) {
        String s = v.length() > 40 ? v.substring(0, 40) + "…" : v;
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
