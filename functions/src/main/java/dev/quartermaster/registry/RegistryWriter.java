package dev.quartermaster.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Pushes blobs and manifests to an OCI registry (distribution API): what {@code bin/qm archive
 * restore} writes with. A blob is streamed in one PATCH of known length then committed by digest,
 * the way {@code docker push} does; the registry checks the digest. Only the operator's command
 * line pushes; no function does.
 */
public final class RegistryWriter {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private final URI base;
    private final RegistryAuth auth;
    private final HttpClient http;

    public RegistryWriter(String baseUrl, RegistryAuth auth) {
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
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    public String url() {
        return base.toString();
    }

    /** True if the registry already holds the blob (a restore skips it). */
    public boolean hasBlob(String repository, String digest) {
        return head(
                base.resolve("/v2/" + repository + "/blobs/" + digest),
                "blob " + repository + "@" + digest);
    }

    /** True if the registry already holds the manifest. */
    public boolean hasManifest(String repository, String digest) {
        // every manifest type accepted: a registry answers 404 for an OCI manifest a HEAD without
        // Accept does not ask for
        HttpResponse<String> r =
                send(
                        request(base.resolve("/v2/" + repository + "/manifests/" + digest))
                                .header("Accept", MediaTypes.ACCEPT_MANIFESTS)
                                .method("HEAD", HttpRequest.BodyPublishers.noBody()),
                        "look up manifest " + repository + "@" + digest);
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw new RegistryException(
                "look up manifest " + repository + "@" + digest + ": HTTP " + r.statusCode());
    }

    /**
     * Streams {@code size} bytes as blob {@code digest}; the registry refuses bytes that do not
     * hash to it.
     */
    public void pushBlob(String repository, String digest, long size, Supplier<InputStream> bytes) {
        HttpResponse<String> start =
                send(
                        request(base.resolve("/v2/" + repository + "/blobs/uploads/"))
                                .POST(HttpRequest.BodyPublishers.noBody()),
                        "start an upload to " + repository);
        expect(start, 202, "start an upload to " + repository);
        URI upload = location(start, "the upload of " + digest);
        HttpRequest.BodyPublisher body =
                HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(bytes), size);
        HttpResponse<String> patch =
                send(
                        request(upload)
                                .timeout(Duration.ofHours(2))
                                .header("Content-Type", "application/octet-stream")
                                .method("PATCH", body),
                        "upload " + digest);
        expect(patch, 202, "upload " + digest + " to " + repository);
        URI commit = location(patch, "the upload of " + digest);
        String sep = commit.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> put =
                send(
                        request(URI.create(commit + sep + "digest=" + digest))
                                .PUT(HttpRequest.BodyPublishers.noBody()),
                        "commit " + digest);
        expect(put, 201, "commit blob " + digest + " in " + repository);
    }

    /**
     * Puts a manifest under a tag or its digest; returns the digest the registry reports (checked
     * by the caller).
     */
    public String putManifest(String repository, String reference, String mediaType, byte[] bytes) {
        HttpResponse<String> put =
                send(
                        request(base.resolve("/v2/" + repository + "/manifests/" + reference))
                                .header("Content-Type", mediaType)
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)),
                        "put manifest " + reference);
        expect(put, 201, "put manifest " + repository + ":" + reference);
        String digest = put.headers().firstValue("Docker-Content-Digest").orElse(Digests.of(bytes));
        return digest;
    }

    private boolean head(URI uri, String what) {
        HttpResponse<String> r =
                send(
                        request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                        "look up " + what);
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw new RegistryException(
                "registry " + base + " answered HTTP " + r.statusCode() + " looking up " + what);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
        if (base.getHost().equalsIgnoreCase(uri.getHost())
                && base.getScheme().equalsIgnoreCase(uri.getScheme())) {
            auth.header().ifPresent(h -> b.header("Authorization", h));
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String what) {
        if (dev.quartermaster.common.Priming.inProgress()) {
            // a primer's event never writes to a registry (PrimingGuard is the SDK's side of this)
            throw new RegistryException("priming writes nothing: " + what + " not sent");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RegistryException(
                    "registry " + base + ": " + what + " failed: " + e.getMessage(), e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted: " + what, e);
        } catch (UncheckedIOException e) {
            throw new RegistryException(
                    "registry "
                            + base
                            + ": "
                            + what
                            + " failed reading the source: "
                            + e.getMessage(),
                    e);
        }
    }

    private URI location(HttpResponse<String> r, String what) {
        String location =
                r.headers()
                        .firstValue("Location")
                        .orElseThrow(
                                () ->
                                        new RegistryException(
                                                "registry "
                                                        + base
                                                        + " gave no Location for "
                                                        + what));
        return base.resolve(location);
    }

    private void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException(
                    "registry "
                            + base
                            + " refused to "
                            + what
                            + " (HTTP "
                            + r.statusCode()
                            + "): check the credentials (--aws for ECR, QM_REGISTRY_USER/QM_REGISTRY_PASSWORD for basic auth)");
        }
        if (r.statusCode() != status) {
            throw new RegistryException(
                    "registry "
                            + base
                            + " could not "
                            + what
                            + ": HTTP "
                            + r.statusCode()
                            + " "
                            + dev.quartermaster.common.Text.oneLine(r.body(), 300));
        }
    }
}
