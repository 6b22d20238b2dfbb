package dev.quartermaster.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
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
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    /**
     * Timeouts for every request; a body that stalls or dribbles fails instead of hanging the
     * function.
     */
    public record Timeouts(Duration connect, Duration idleRead, Duration smallBody) {
        public static Timeouts defaults() {
            return new Timeouts(
                    Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(30));
        }
    }

    private final URI base;
    private final RegistryAuth auth;
    private final Timeouts timeouts;

    public RegistryClient(String baseUrl, RegistryAuth auth) {
        this(baseUrl, auth, Timeouts.defaults());
    }

    public RegistryClient(String baseUrl, RegistryAuth auth, Timeouts timeouts) {
        this.base =
                URI.create(
                        baseUrl.endsWith("/")
                                ? baseUrl.substring(0, baseUrl.length() - 1)
                                : baseUrl);
        if (!"https".equals(base.getScheme()) && !"http".equals(base.getScheme())
                || base.getHost() == null) {
            throw new IllegalArgumentException(
                    "registry URL '"
                            + baseUrl
                            + "' must be https://host[:port] (or http:// for a local registry)");
        }
        this.auth = auth;
        this.timeouts = timeouts;
    }

    /** Fetches a manifest or index by tag or digest and checks its digest. */
    public Manifest manifest(String repository, String reference) {
        URI uri = base.resolve("/v2/" + repository + "/manifests/" + reference);
        Response response =
                send(
                        uri,
                        Map.of("Accept", MediaTypes.ACCEPT_MANIFESTS),
                        repository + ":" + reference);
        byte[] bytes;
        try (InputStream in = response.body(timeouts.smallBody())) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new RegistryException(
                    "reading manifest "
                            + repository
                            + ":"
                            + reference
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException(
                    "manifest " + repository + ":" + reference + " is larger than 4 MiB");
        }
        String digest = Digests.of(bytes);
        if (reference.startsWith("sha256:") && !digest.equals(reference)) {
            throw new RegistryException(
                    new DigestMismatchException(reference, digest, bytes.length).getMessage());
        }
        String headerDigest = response.header("Docker-Content-Digest");
        if (headerDigest != null && !headerDigest.equals(digest)) {
            throw new RegistryException(
                    "manifest "
                            + repository
                            + ":"
                            + reference
                            + " hashes to "
                            + digest
                            + " but the registry says "
                            + dev.quartermaster.common.Text.oneLine(headerDigest, 80));
        }
        String contentType = response.header("Content-Type");
        return parse(digest, bytes, contentType == null ? "" : contentType);
    }

    /**
     * Streams a blob; the stream throws {@link DigestMismatchException} at its end if the bytes are
     * not the digest.
     */
    public Digests.VerifyingInputStream blob(String repository, String digest) {
        return new Digests.VerifyingInputStream(blobStream(repository, digest), digest);
    }

    /**
     * A blob's bytes as sent, not yet verified (wrap them in {@link Digests.VerifyingInputStream}).
     * Each read waits at most the idle timeout; the caller bounds the total time.
     */
    public InputStream blobStream(String repository, String digest) {
        URI uri = base.resolve("/v2/" + repository + "/blobs/" + digest);
        return send(uri, Map.of(), repository + "@" + digest).body(null);
    }

    /** A small JSON blob (an image config), read whole and verified. */
    public JsonNode jsonBlob(String repository, String digest) {
        URI uri = base.resolve("/v2/" + repository + "/blobs/" + digest);
        Response response = send(uri, Map.of(), repository + "@" + digest);
        try (Digests.VerifyingInputStream in =
                new Digests.VerifyingInputStream(response.body(timeouts.smallBody()), digest)) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new RegistryException(
                        "config blob " + repository + "@" + digest + " is larger than 4 MiB");
            }
            in.drainAndVerify();
            return JSON.readTree(bytes);
        } catch (DigestMismatchException e) {
            throw new RegistryException(
                    "config blob " + repository + "@" + digest + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RegistryException(
                    "reading config blob "
                            + repository
                            + "@"
                            + digest
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The tags of a repository (the distribution API's tag list; at most 10 000), for registries
     * without DescribeImages.
     */
    public List<String> tags(String repository) {
        URI uri = base.resolve("/v2/" + repository + "/tags/list?n=10000");
        Response response = send(uri, Map.of("Accept", "application/json"), repository + " tags");
        try (InputStream in = response.body(timeouts.smallBody())) {
            byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new RegistryException(
                        "the tag list of " + repository + " is larger than 4 MiB");
            }
            List<String> out = new ArrayList<>();
            JSON.readTree(bytes).path("tags").forEach(t -> out.add(t.asText()));
            return out;
        } catch (IOException e) {
            throw new RegistryException(
                    "reading the tags of " + repository + " failed: " + e.getMessage(), e, true);
        }
    }

    /** At most this many referrers (signatures, SBOMs, attestations) are archived per manifest. */
    static final int MAX_REFERRERS = 64;

    /**
     * The referrers of a manifest (signatures, SBOMs) where the registry offers the OCI referrers
     * API; none where it does not (404, 400, 405, 501: older registries), never more than {@value
     * #MAX_REFERRERS}.
     */
    public List<Descriptor> referrers(String repository, String digest) {
        URI uri = base.resolve("/v2/" + repository + "/referrers/" + digest);
        String what = repository + " referrers of " + digest;
        try {
            byte[] bytes = referrersList(uri, what);
            if (bytes == null) {
                return referrersByTag(
                        repository, digest); // no referrers API: the OCI referrers tag schema
            }
            List<Descriptor> out = new ArrayList<>();
            for (JsonNode m : JSON.readTree(bytes).path("manifests")) {
                if (out.size() == MAX_REFERRERS) {
                    break;
                }
                out.add(descriptor(m));
            }
            return out;
        } catch (IOException e) {
            throw new RegistryException("reading " + what + " failed: " + e.getMessage(), e, true);
        }
    }

    /**
     * At most this many entries of a referrers list are looked at when it is searched for one
     * artifact type.
     */
    public static final int MAX_LISTED = 1024;

    /**
     * A referrer as a referrers list names it: the artifact type the list gives ('' when it gives
     * none) and its descriptor.
     */
    public record Referrer(String artifactType, Descriptor descriptor) {}

    /**
     * A referrers list: the entries read (at most {@value #MAX_LISTED}), how many did not parse,
     * how many lay beyond the bound.
     */
    public record ReferrerList(List<Referrer> referrers, int unreadable, int beyondBound) {}

    /**
     * The referrers of {@code digest} with the artifact types the list gives, asking the referrers
     * API for {@code artifactType} (OCI distribution specification, "Listing Referrers": a registry
     * that filters says so in {@code OCI-Filters-Applied}, one that does not lists every type, so
     * callers filter again), else the referrers tag schema's index. Unlike {@link
     * #referrers(String, String)} it looks past the first {@value #MAX_REFERRERS} entries (up to
     * {@value #MAX_LISTED}), and an entry that does not parse is counted, not fatal.
     */
    public ReferrerList referrers(String repository, String digest, String artifactType) {
        URI uri =
                base.resolve(
                        "/v2/"
                                + repository
                                + "/referrers/"
                                + digest
                                + "?artifactType="
                                + java.net.URLEncoder.encode(
                                        artifactType, java.nio.charset.StandardCharsets.UTF_8));
        String what = repository + " referrers of " + digest;
        try {
            byte[] bytes = referrersList(uri, what);
            if (bytes == null) {
                try {
                    bytes =
                            manifest(repository, ReferrersTagSchema.tag(digest))
                                    .bytes(); // no referrers API: the tag schema
                } catch (RegistryNotFoundException none) {
                    return new ReferrerList(List.of(), 0, 0);
                }
            }
            List<Referrer> out = new ArrayList<>();
            int unreadable = 0;
            int beyond = 0;
            for (JsonNode m : JSON.readTree(bytes).path("manifests")) {
                if (out.size() + unreadable == MAX_LISTED) {
                    beyond++;
                    continue;
                }
                try {
                    out.add(new Referrer(m.path("artifactType").asText(""), descriptor(m)));
                } catch (RegistryException e) {
                    unreadable++;
                }
            }
            return new ReferrerList(out, unreadable, beyond);
        } catch (IOException e) {
            throw new RegistryException("reading " + what + " failed: " + e.getMessage(), e, true);
        }
    }

    /**
     * A referrers list as the referrers API answers it (at most 4 MiB, read within the small-body
     * time), or null where the registry has no referrers API (404, 400, 405, 501: older
     * registries); any other answer throws.
     */
    private byte[] referrersList(URI uri, String what) throws IOException {
        HttpURLConnection c = follow(uri, Map.of("Accept", MediaTypes.OCI_INDEX), what);
        int status = c.getResponseCode();
        if (status != 200) {
            String body = drain(c);
            if (status == 404 || status == 400 || status == 405 || status == 501) {
                return null;
            }
            throw new RegistryException(
                    "registry " + base + " answered HTTP " + status + " for " + what + ": " + body,
                    null,
                    status >= 500);
        }
        byte[] bytes;
        try (InputStream in =
                within(c.getInputStream(), System.nanoTime() + timeouts.smallBody().toNanos())) {
            bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException(what + ": the list is larger than 4 MiB");
        }
        return bytes;
    }

    /**
     * Whether the registry answers the OCI referrers API for this repository (ECR does; Debian's
     * registry does not).
     */
    public boolean hasReferrersApi(String repository, String digest) {
        URI uri = base.resolve("/v2/" + repository + "/referrers/" + digest);
        try {
            HttpURLConnection c =
                    follow(
                            uri,
                            Map.of("Accept", MediaTypes.OCI_INDEX),
                            repository + " referrers of " + digest);
            int status = c.getResponseCode();
            drain(c);
            return status == 200;
        } catch (IOException e) {
            throw new RegistryException(
                    "asking " + base + " for referrers failed: " + e.getMessage(), e, true);
        }
    }

    /**
     * The referrers tag schema (OCI distribution spec, for registries without the referrers API,
     * such as Debian's docker-registry): an index tagged {@code sha256-<hex>} lists the referrers
     * of that digest. None when no such tag.
     */
    List<Descriptor> referrersByTag(String repository, String digest) {
        String tag = digest.replace(':', '-');
        Manifest index;
        try {
            index = manifest(repository, tag);
        } catch (RegistryNotFoundException e) {
            return List.of();
        }
        if (!index.isIndex()) {
            return List.of();
        }
        return index.manifests().subList(0, Math.min(MAX_REFERRERS, index.manifests().size()));
    }

    /** An open 200 response. */
    private record Response(HttpURLConnection connection) {
        String header(String name) {
            return connection.getHeaderField(name);
        }

        /**
         * The body; with {@code total} set, reading it past that time fails (a server that
         * dribbles).
         */
        InputStream body(Duration total) {
            try {
                InputStream in = connection.getInputStream();
                return total == null ? in : within(in, System.nanoTime() + total.toNanos());
            } catch (IOException e) {
                throw new RegistryException(
                        "reading the response from "
                                + connection.getURL().getHost()
                                + " failed: "
                                + e.getMessage(),
                        e,
                        true);
            }
        }
    }

    /**
     * The registry's API root, asked without credentials (SnapStart priming: the whole HTTP path,
     * nothing read, no token in the snapshot); the HTTP status it answered (401 from ECR).
     */
    public int ping() {
        try {
            HttpURLConnection c = (HttpURLConnection) base.resolve("/v2/").toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) timeouts.connect().toMillis());
            c.setReadTimeout((int) timeouts.idleRead().toMillis());
            int status = c.getResponseCode();
            drain(c);
            return status;
        } catch (IOException e) {
            throw new RegistryException(
                    "registry " + base + " did not answer: " + e.getMessage(), e, true);
        }
    }

    private Response send(URI uri, Map<String, String> headers, String what) {
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                HttpURLConnection c = follow(uri, headers, what);
                int status = c.getResponseCode();
                if (status == 200) {
                    return new Response(c);
                }
                String body = drain(c);
                if (status >= 500 || status == 429) {
                    last = new IOException("HTTP " + status + " for " + what);
                } else if (status == 404) {
                    throw new RegistryNotFoundException(
                            what + " not found in " + base + " (HTTP 404)");
                } else if (status == 401 || status == 403) {
                    throw new RegistryException(
                            "registry "
                                    + base
                                    + " refused "
                                    + what
                                    + " (HTTP "
                                    + status
                                    + "): check the function's ECR permissions or the registry credentials");
                } else {
                    throw new RegistryException(
                            "registry "
                                    + base
                                    + " answered HTTP "
                                    + status
                                    + " for "
                                    + what
                                    + ": "
                                    + body);
                }
            } catch (IOException e) {
                last = e;
            }
            sleep(100L << attempt);
        }
        throw new RegistryException(
                "registry "
                        + base
                        + " kept failing for "
                        + what
                        + " after "
                        + MAX_ATTEMPTS
                        + " attempts: "
                        + last.getMessage(),
                last,
                true);
    }

    /**
     * Follows redirects by hand. The registry's Authorization goes only to the registry's own
     * origin (scheme, host and port); a redirect must be https unless the registry itself is plain
     * http (a local one); a Location without a host or a redirect loop is a permanent error, not a
     * transient one.
     */
    private HttpURLConnection follow(URI start, Map<String, String> headers, String what)
            throws IOException {
        URI uri = start;
        for (int hops = 0; ; hops++) {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) timeouts.connect().toMillis());
            c.setReadTimeout((int) timeouts.idleRead().toMillis());
            headers.forEach(c::setRequestProperty);
            if (sameOrigin(uri)) {
                auth.header().ifPresent(h -> c.setRequestProperty("Authorization", h));
            }
            int status = c.getResponseCode();
            if (!REDIRECTS.contains(status)) {
                return c;
            }
            String location = c.getHeaderField("Location");
            drain(c);
            if (location == null || location.isBlank()) {
                throw new RegistryException(
                        "registry " + base + " redirected " + what + " without a Location");
            }
            if (hops + 1 > MAX_REDIRECTS) {
                throw new RegistryException(
                        "registry "
                                + base
                                + " redirected "
                                + what
                                + " more than "
                                + MAX_REDIRECTS
                                + " times (a loop?)");
            }
            URI next;
            try {
                next = uri.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new RegistryException(
                        "registry " + base + " redirected " + what + " to an invalid Location");
            }
            if (next.getHost() == null || next.getHost().isEmpty()) {
                throw new RegistryException(
                        "registry "
                                + base
                                + " redirected "
                                + what
                                + " to a Location without a host");
            }
            boolean allowed =
                    "https".equals(next.getScheme())
                            || ("http".equals(next.getScheme()) && "http".equals(base.getScheme()));
            if (!allowed) {
                throw new RegistryException(
                        "registry "
                                + base
                                + " redirected "
                                + what
                                + " to a "
                                + next.getScheme()
                                + " URL; only https is followed (http only for a registry configured as http)");
            }
            uri = next;
        }
    }

    private boolean sameOrigin(URI uri) {
        return base.getScheme().equalsIgnoreCase(uri.getScheme())
                && base.getHost().equalsIgnoreCase(uri.getHost())
                && port(base) == port(uri);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /**
     * Reads at most 512 bytes of an error body for the message and closes it: a dribbling body
     * cannot hold us.
     */
    private String drain(HttpURLConnection c) {
        InputStream in = c.getErrorStream();
        try {
            if (in == null) {
                in = c.getInputStream();
            }
            byte[] b =
                    within(in, System.nanoTime() + Duration.ofSeconds(2).toNanos()).readNBytes(512);
            return dev.quartermaster.common.Text.oneLine(
                    new String(b, java.nio.charset.StandardCharsets.UTF_8), 512);
        } catch (IOException e) {
            return "";
        } finally {
            c.disconnect();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry", e);
        }
    }

    /**
     * Fails a read that starts after the deadline. With the idle read timeout, this bounds a body's
     * total time.
     */
    private static InputStream within(InputStream in, long deadlineNanos) {
        return new DeadlineInputStream(
                in,
                () -> System.nanoTime() > deadlineNanos,
                "the response body is taking too long (a server sending it slowly?)");
    }

    /**
     * Parses manifest bytes already verified against {@code digest} (read back from an archive).
     */
    public static Manifest parse(String digest, byte[] bytes, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new RegistryException(
                    "manifest " + digest + " is not JSON: " + e.getMessage(), e);
        }
        String mediaType = root.path("mediaType").asText(contentType.split(";")[0].trim());
        if (MediaTypes.isIndex(mediaType) || (mediaType.isEmpty() && root.has("manifests"))) {
            List<Descriptor> manifests = new ArrayList<>();
            root.path("manifests").forEach(m -> manifests.add(descriptor(m)));
            return new Manifest(
                    digest,
                    mediaType.isEmpty() ? MediaTypes.OCI_INDEX : mediaType,
                    bytes.length,
                    null,
                    List.of(),
                    manifests,
                    bytes);
        }
        if (!root.has("config") || !root.has("layers")) {
            throw new RegistryException(
                    "manifest "
                            + digest
                            + " has media type '"
                            + mediaType
                            + "' and is neither an image manifest nor an index (schema 1 manifests are not supported)");
        }
        List<Descriptor> layers = new ArrayList<>();
        root.path("layers").forEach(l -> layers.add(descriptor(l)));
        return new Manifest(
                digest,
                mediaType.isEmpty() ? MediaTypes.OCI_MANIFEST : mediaType,
                bytes.length,
                descriptor(root.path("config")),
                layers,
                List.of(),
                bytes);
    }

    private static Descriptor descriptor(JsonNode n) {
        Descriptor.Platform platform =
                n.has("platform")
                        ? new Descriptor.Platform(
                                n.path("platform").path("os").asText(),
                                n.path("platform").path("architecture").asText(),
                                n.path("platform").path("variant").asText(""))
                        : null;
        Map<String, String> annotations = new HashMap<>();
        n.path("annotations")
                .fields()
                .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        String digest = n.path("digest").asText();
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw new RegistryException(
                    "descriptor digest '" + digest + "' is not sha256:<64 hex>");
        }
        return new Descriptor(
                n.path("mediaType").asText(),
                digest,
                n.path("size").asLong(),
                platform,
                Map.copyOf(annotations));
    }
}
