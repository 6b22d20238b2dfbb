package dev.quartermaster.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One replication destination: a region and the account whose registry receives the replicas. */
public record Destination(String region, String account) {
    static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");

    /** ECR's limit: 25 destinations per registry. */
    public static final int MAX = 25;

    public Destination {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException(
                    "replication destination region '"
                            + region
                            + "' is not an AWS region (e.g. eu-central-1)");
        }
        if (account == null || !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException(
                    "replication destination account '"
                            + account
                            + "' is not a 12-digit account id");
        }
    }

    /** {@code region/account}: how the ledger and the command line name a destination. */
    public String key() {
        return region + "/" + account;
    }

    /** {@code REGION} or {@code REGION/ACCOUNT}; the account defaults to {@code home}. */
    public static Destination parse(String text, String home) {
        int slash = text.indexOf('/');
        return slash < 0
                ? new Destination(text.trim(), home)
                : new Destination(
                        text.substring(0, slash).trim(), text.substring(slash + 1).trim());
    }

    /**
     * The REPLICATION_DESTINATIONS setting: a JSON list of {@code {"region": ..., "account": ...}}
     * (the stack always writes the account; a missing one is {@code home}). Duplicates and more
     * than {@value #MAX} are refused.
     */
    public static List<Destination> parseList(String json, String home) {
        List<Destination> out = new ArrayList<>();
        if (json == null || json.isBlank()) {
            return out;
        }
        JsonNode list;
        try {
            list = new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "REPLICATION_DESTINATIONS is not JSON: " + e.getMessage());
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(
                    "REPLICATION_DESTINATIONS must be a JSON list of {region, account}");
        }
        for (JsonNode d : list) {
            String account = d.path("account").asText("");
            Destination dest =
                    new Destination(
                            d.path("region").asText(""), account.isEmpty() ? home : account);
            if (out.contains(dest)) {
                throw new IllegalArgumentException(
                        "replication destination " + dest.key() + " is listed twice");
            }
            out.add(dest);
        }
        if (out.size() > MAX) {
            throw new IllegalArgumentException(
                    "ECR replicates to at most " + MAX + " destinations, not " + out.size());
        }
        return out;
    }
}
