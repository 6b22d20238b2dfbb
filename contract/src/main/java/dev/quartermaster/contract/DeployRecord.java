package dev.quartermaster.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a successful deploy created that no later deploy can change: each repository's encryption
 * (ECR fixes it when it creates the repository, and CloudFormation refuses to replace a named one).
 * {@code bin/qm deploy} writes it when {@code cdk deploy} succeeds, from the stack's {@link
 * StackOutput#REPOSITORY_ENCRYPTION} output; synth reads it and refuses a change. A synth never
 * writes it: a synth deploys nothing.
 *
 * <p>The file ({@value #FILE} beside cdk.json, commit it) holds one entry per stack name: {@code
 * {"deployed": {"Quartermaster": {"account": ..., "region": ..., "repositoryEncryption":
 * {"wordpress": "KMS"}}}}}.
 *
 * @param account the account deployed to, or null when unknown
 * @param region the region deployed to, or null when unknown
 */
public record DeployRecord(String account, String region, Map<String, String> encryption) {
    public static final String FILE = "quartermaster.lock.json";
    static final String DEPLOYED = "deployed";

    /**
     * The record's key for each repository's encryption (named as the option whose value it
     * records).
     */
    public static final String ENCRYPTION = "repositoryEncryption";

    private static final ObjectMapper JSON = new ObjectMapper();

    public DeployRecord {
        encryption = Map.copyOf(encryption);
    }

    /**
     * The record of {@code stack} in {@code file}, or null when the file or the stack's entry is
     * missing.
     */
    public static DeployRecord read(Path file, String stack) {
        JsonNode entry = root(file).path(DEPLOYED).path(stack);
        if (!entry.isObject()) {
            return null;
        }
        Map<String, String> encryption = new TreeMap<>();
        entry.path(ENCRYPTION)
                .fields()
                .forEachRemaining(e -> encryption.put(e.getKey(), e.getValue().asText()));
        return new DeployRecord(text(entry, "account"), text(entry, "region"), encryption);
    }

    /**
     * Whether the file still has the top-level {@code repositoryEncryption} an earlier version
     * wrote at every synth (whether or not anything was deployed): it is ignored now.
     */
    public static boolean hasSynthRecord(Path file) {
        return root(file).has(ENCRYPTION);
    }

    /**
     * Records what a deploy of {@code stack} created: its repositories' encryption joins (and, for
     * the same names, replaces) what the file held for the stack; other stacks' entries and other
     * keys are kept.
     */
    public static void write(Path file, String stack, DeployRecord deployed) {
        ObjectNode root = root(file).deepCopy();
        ObjectNode all =
                root.has(DEPLOYED) && root.get(DEPLOYED).isObject()
                        ? (ObjectNode) root.get(DEPLOYED)
                        : root.putObject(DEPLOYED);
        DeployRecord was = read(file, stack);
        Map<String, String> encryption = new TreeMap<>(was == null ? Map.of() : was.encryption());
        encryption.putAll(deployed.encryption());
        ObjectNode entry = all.putObject(stack);
        if (deployed.account() != null) {
            entry.put("account", deployed.account());
        }
        if (deployed.region() != null) {
            entry.put("region", deployed.region());
        }
        entry.set(ENCRYPTION, JSON.valueToTree(encryption));
        try {
            Files.writeString(
                    file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode root(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalArgumentException(
                        file + " is not a JSON object: fix it or restore it from git");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file
                            + " is not JSON ("
                            + e.getMessage().lines().findFirst().orElse("")
                            + "): fix it or restore it from git");
        }
    }

    private static String text(JsonNode n, String key) {
        String v = n.path(key).asText("");
        return v.isBlank() ? null : v;
    }
}
