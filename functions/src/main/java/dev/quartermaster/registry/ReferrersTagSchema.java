package dev.quartermaster.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * The OCI referrers tag schema, for registries without the referrers API (Debian's
 * docker-registry): the index tagged {@code sha256-<hex>} lists the referrers of that digest. A
 * registry with the API (ECR) indexes a pushed referrer by its subject itself; pushing the tag
 * there would only add a tag, so callers write it only where the API is absent.
 */
public final class ReferrersTagSchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferrersTagSchema() {}

    public static String tag(String subjectDigest) {
        return subjectDigest.replace(':', '-');
    }

    /**
     * Lists {@code referrer} (a manifest whose subject is {@code subjectDigest}) in the subject's
     * tag-schema index, once.
     */
    public static void add(
            RegistryClient reader,
            RegistryWriter writer,
            String repository,
            String subjectDigest,
            Manifest referrer) {
        try {
            ObjectNode index;
            try {
                index =
                        (ObjectNode)
                                JSON.readTree(
                                        reader.manifest(repository, tag(subjectDigest)).bytes());
            } catch (RegistryNotFoundException none) {
                index =
                        JSON.createObjectNode()
                                .put("schemaVersion", 2)
                                .put("mediaType", MediaTypes.OCI_INDEX);
                index.putArray("manifests");
            }
            ArrayNode manifests = index.withArray("manifests");
            for (JsonNode m : manifests) {
                if (referrer.digest().equals(m.path("digest").asText())) {
                    return;
                }
            }
            JsonNode r = JSON.readTree(referrer.bytes());
            ObjectNode entry =
                    manifests
                            .addObject()
                            .put("mediaType", referrer.mediaType())
                            .put("digest", referrer.digest())
                            .put("size", referrer.size());
            String artifactType =
                    r.path("artifactType").asText(r.path("config").path("mediaType").asText(""));
            if (!artifactType.isEmpty()) {
                entry.put("artifactType", artifactType);
            }
            if (r.has("annotations")) {
                entry.set("annotations", r.get("annotations"));
            }
            writer.putManifest(
                    repository,
                    tag(subjectDigest),
                    MediaTypes.OCI_INDEX,
                    JSON.writeValueAsBytes(index));
        } catch (IOException e) {
            throw new RegistryException(
                    "updating the referrers index of "
                            + repository
                            + "@"
                            + subjectDigest
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
    }
}
