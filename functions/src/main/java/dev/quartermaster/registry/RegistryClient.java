package dev.quartermaster.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client for the OCI distribution API: manifests, indexes and blobs, every digest verified, blobs
 * streamed. Redirects (ECR sends blob downloads to S3) are followed without the registry's
 * Authorization header. Transient failures (5xx, 429, connection errors) are retried with backoff
 * within a bounded budget.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final int MAX_ATTEMPTS = 4;
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final URI base;
    private final RegistryAuth auth;
    private final HttpClient http;

    public RegistryClient(String baseUrl, RegistryAuth auth) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.auth = auth;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Fetches a manifest or index by tag or digest and checks its digest. */
    public Manifest manifest(String repository, String reference) {
        URI uri = base.resolve("/v2/" + repository + "/manifests/" + reference);
        HttpResponse<InputStream> response = send(uri, Map.of("Accept", MediaTypes.ACCEPT_MANIFESTS), repository + ":" + reference);
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new RegistryException("reading manifest " + repository + ":" + reference + " failed: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException("manifest " + repository + ":" + reference + " is larger than 4 MiB");
        }
        String digest = Digests.of(bytes);
        if (reference.startsWith("sha256:") && !digest.equals(reference)) {
            throw new RegistryException(new DigestMismatchException(reference, digest, bytes.length).getMessage());
        }
        String headerDigest = response.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (headerDigest != null && !headerDigest.equals(digest)) {
            throw new RegistryException("manifest " + repository + ":" + reference + " hashes to " + digest
                    + " but the registry says " + headerDigest);
        }
        return parse(digest, bytes, response.headers().firstValue("Content-Type").orElse(""));
    }

    /** Streams a blob; the stream throws {@link DigestMismatchException} at its end if the bytes are not the digest. */
    public Digests.VerifyingInputStream blob(String repository, String digest) {
        URI uri = base.resolve("/v2/" + repository + "/blobs/" + digest);
        HttpResponse<InputStream> response = send(uri, Map.of(), repository + "@" + digest);
        return new Digests.VerifyingInputStream(response.body(), digest);
    }

    /** A small JSON blob (an image config), read whole and verified. */
    public JsonNode jsonBlob(String repository, String digest) {
        try (Digests.VerifyingInputStream in = blob(repository, digest)) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            in.drainAndVerify();
            return JSON.readTree(bytes);
        } catch (DigestMismatchException e) {
            throw new RegistryException("config blob " + repository + "@" + digest + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException("reading config blob " + repository + "@" + digest + " failed: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(URI uri, Map<String, String> headers, String what) {
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                HttpResponse<InputStream> r = follow(uri, headers, true, 0);
                int status = r.statusCode();
                if (status == 200) {
                    return r;
                }
                String body = drain(r);
                if (status >= 500 || status == 429) {
                    last = new IOException("HTTP " + status + " for " + what);
                } else if (status == 404) {
                    throw new RegistryException(what + " not found in " + base + " (HTTP 404)");
                } else if (status == 401 || status == 403) {
                    throw new RegistryException("registry " + base + " refused " + what + " (HTTP " + status
                            + "): check the function's ECR permissions or the registry credentials");
                } else {
                    throw new RegistryException("registry " + base + " answered HTTP " + status + " for " + what + ": " + body);
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while fetching " + what, e);
            }
            sleep(100L << attempt);
        }
        throw new RegistryException("registry " + base + " kept failing for " + what + " after " + MAX_ATTEMPTS
                + " attempts: " + last.getMessage(), last, true);
    }

    private HttpResponse<InputStream> follow(URI uri, Map<String, String> headers, boolean withAuth, int hops)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(b::header);
        if (withAuth) {
            auth.header().ifPresent(h -> b.header("Authorization", h));
        }
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (REDIRECTS.contains(r.statusCode())) {
            String location = r.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("redirect without Location from " + uri));
            drain(r);
            if (hops >= 5) {
                throw new IOException("too many redirects from " + uri);
            }
            URI next = uri.resolve(location);
            // the registry's credentials are for the registry only: a presigned S3 URL must not see them
            boolean sameOrigin = next.getHost().equals(base.getHost()) && next.getPort() == base.getPort();
            return follow(next, headers, withAuth && sameOrigin, hops + 1);
        }
        return r;
    }

    private static String drain(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(512);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Manifest parse(String digest, byte[] bytes, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new RegistryException("manifest " + digest + " is not JSON: " + e.getMessage(), e);
        }
        String mediaType = root.path("mediaType").asText(contentType.split(";")[0].trim());
        if (MediaTypes.isIndex(mediaType) || (mediaType.isEmpty() && root.has("manifests"))) {
            List<Descriptor> manifests = new ArrayList<>();
            root.path("manifests").forEach(m -> manifests.add(descriptor(m)));
            return new Manifest(digest, mediaType.isEmpty() ? MediaTypes.OCI_INDEX : mediaType, bytes.length, null, List.of(), manifests);
        }
        if (!root.has("config") || !root.has("layers")) {
            throw new RegistryException("manifest " + digest + " has media type '" + mediaType
                    + "' and is neither an image manifest nor an index (schema 1 manifests are not supported)");
        }
        List<Descriptor> layers = new ArrayList<>();
        root.path("layers").forEach(l -> layers.add(descriptor(l)));
        return new Manifest(digest, mediaType.isEmpty() ? MediaTypes.OCI_MANIFEST : mediaType, bytes.length,
                descriptor(root.path("config")), layers, List.of());
    }

    private static Descriptor descriptor(JsonNode n) {
        Descriptor.Platform platform = n.has("platform") ? new Descriptor.Platform(n.path("platform").path("os").asText(),
                n.path("platform").path("architecture").asText(), n.path("platform").path("variant").asText("")) : null;
        Map<String, String> annotations = new HashMap<>();
        n.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        String digest = n.path("digest").asText();
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw new RegistryException("descriptor digest '" + digest + "' is not sha256:<64 hex>");
        }
        return new Descriptor(n.path("mediaType").asText(), digest, n.path("size").asLong(), platform, Map.copyOf(annotations));
    }
}
