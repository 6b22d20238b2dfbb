package dev.quartermaster.signature;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quartermaster.registry.Digests;
import dev.quartermaster.registry.MediaTypes;
import dev.quartermaster.registry.RegistryAuth;
import dev.quartermaster.registry.RegistryClient;
import dev.quartermaster.testkit.NotationSigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a pusher can do to the referrers list to keep a signed image UNSIGNED (issue 32, item 10),
 * on an in-process registry speaking the OCI distribution API: manifests by digest and tag, and the
 * referrers API (with or without the artifactType filter, OCI distribution specification "Listing
 * Referrers") or, switched off, the referrers tag schema.
 */
class RegistrySignatureSourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();

    /** The referrers list of the image, in the order the registry answers it. */
    private final List<Map<String, Object>> listed = new CopyOnWriteArrayList<>();

    private final List<String> referrerQueries = new CopyOnWriteArrayList<>();
    private boolean referrersApi = true;
    private boolean filters = false;
    private HttpServer server;
    private RegistrySignatureSource source;
    private String image;
    private byte[] imageBytes;

    private void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        source =
                new RegistrySignatureSource(
                        new RegistryClient(
                                "http://127.0.0.1:" + server.getAddress().getPort(),
                                RegistryAuth.anonymous()));
        imageBytes =
                json(
                        Map.of(
                                "schemaVersion",
                                2,
                                "mediaType",
                                MediaTypes.OCI_MANIFEST,
                                "config",
                                Map.of(
                                        "mediaType",
                                        "application/vnd.oci.image.config.v1+json",
                                        "digest",
                                        "sha256:" + "1".repeat(64),
                                        "size",
                                        2),
                                "layers",
                                List.of()));
        image = put(imageBytes);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        byte[] body;
        String type;
        if (path.startsWith("/v2/r/referrers/")) {
            referrerQueries.add(
                    ex.getRequestURI().getRawQuery() == null
                            ? ""
                            : URLDecoder.decode(
                                    ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
            if (!referrersApi) {
                send(
                        ex,
                        404,
                        "application/json",
                        "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String wanted =
                    ex.getRequestURI().getRawQuery() == null
                            ? null
                            : URLDecoder.decode(
                                            ex.getRequestURI().getRawQuery(),
                                            StandardCharsets.UTF_8)
                                    .replace("artifactType=", "");
            List<Map<String, Object>> entries = new ArrayList<>(listed);
            if (filters && wanted != null) {
                entries.removeIf(e -> !wanted.equals(e.get("artifactType")));
                ex.getResponseHeaders().add("OCI-Filters-Applied", "artifactType");
            }
            body =
                    json(
                            Map.of(
                                    "schemaVersion",
                                    2,
                                    "mediaType",
                                    MediaTypes.OCI_INDEX,
                                    "manifests",
                                    entries));
            type = MediaTypes.OCI_INDEX;
        } else if (path.startsWith("/v2/r/manifests/")) {
            String ref = path.substring("/v2/r/manifests/".length());
            if (!referrersApi && ref.equals(image.replace(':', '-'))) {
                body =
                        json(
                                Map.of(
                                        "schemaVersion",
                                        2,
                                        "mediaType",
                                        MediaTypes.OCI_INDEX,
                                        "manifests",
                                        listed));
            } else {
                body = manifests.get(ref);
            }
            if (body == null) {
                send(
                        ex,
                        404,
                        "application/json",
                        "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}"
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            type = JSON.readTree(body).path("mediaType").asText();
            ex.getResponseHeaders().add("Docker-Content-Digest", Digests.of(body));
        } else {
            send(ex, 404, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(ex, 200, type, body);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String put(byte[] manifest) {
        String d = Digests.of(manifest);
        manifests.put(d, manifest);
        return d;
    }

    /**
     * Lists a referrer as the registry would (its artifact type from the manifest), returning its
     * digest.
     */
    private String list(byte[] manifest, String artifactType) {
        String d = put(manifest);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("mediaType", MediaTypes.OCI_MANIFEST);
        e.put("digest", d);
        e.put("size", manifest.length);
        e.put("artifactType", artifactType);
        listed.add(e);
        return d;
    }

    private byte[] signatureOf(String subject, int n) {
        return NotationSigner.signatureManifest(
                "sha256:" + String.format("%064x", n),
                100 + n,
                MediaTypes.OCI_MANIFEST,
                subject,
                imageBytes.length,
                Instant.parse("2026-12-01T00:00:00Z"));
    }

    private String sbom(int n) {
        return list(
                json(
                        Map.of(
                                "schemaVersion",
                                2,
                                "mediaType",
                                MediaTypes.OCI_MANIFEST,
                                "artifactType",
                                "application/spdx+json",
                                "config",
                                Map.of(
                                        "mediaType",
                                        "application/vnd.oci.empty.v1+json",
                                        "digest",
                                        "sha256:" + "4".repeat(64),
                                        "size",
                                        2),
                                "layers",
                                List.of(
                                        Map.of(
                                                "mediaType",
                                                "application/spdx+json",
                                                "digest",
                                                "sha256:" + String.format("%064x", 1000 + n),
                                                "size",
                                                10)),
                                "subject",
                                Map.of(
                                        "mediaType",
                                        MediaTypes.OCI_MANIFEST,
                                        "digest",
                                        image,
                                        "size",
                                        imageBytes.length))),
                "application/spdx+json");
    }

    @Test
    void signatures_after64SbomsListedFirst_areFound_andTheSbomsAreNeverRead() throws Exception {
        start();
        for (int i = 0; i < 64; i++) {
            sbom(i);
        }
        String signature = list(signatureOf(image, 1), RegistrySignatureSource.SIGNATURE_ARTIFACT);

        SignatureSource.Found found =
                source.signatures("r", image, SignatureService.MAX_SIGNATURES);

        assertThat(found.signatures())
                .extracting(SignatureSource.Signature::manifestDigest)
                .containsExactly(signature);
        assertThat(found.skipped())
                .containsExactly("64 referrers of other artifact types (not read)");
        assertThat(referrerQueries)
                .containsExactly("artifactType=application/vnd.cncf.notary.signature");
    }

    @Test
    void signatures_after16JunkSignatureReferrers_areFound_andTheJunkIsSaid() throws Exception {
        start();
        filters = true; // as a registry that applies the artifactType filter answers
        for (int i = 0; i < 16; i++) {
            list(
                    signatureOf("sha256:" + "e".repeat(64), 10 + i),
                    RegistrySignatureSource.SIGNATURE_ARTIFACT); // signatures of another image
        }
        String signature = list(signatureOf(image, 1), RegistrySignatureSource.SIGNATURE_ARTIFACT);

        SignatureSource.Found found =
                source.signatures("r", image, SignatureService.MAX_SIGNATURES);

        assertThat(found.signatures())
                .extracting(SignatureSource.Signature::manifestDigest)
                .containsExactly(signature);
        assertThat(found.skipped()).containsExactly("16 referrers naming another subject");
    }

    @Test
    void aTagSchemaIndex_namingAReferrerThatDoesNotExist_isPassedOver() throws Exception {
        start();
        referrersApi = false; // Debian's registry: the referrers tag schema
        Map<String, Object> ghost = new LinkedHashMap<>();
        ghost.put("mediaType", MediaTypes.OCI_MANIFEST);
        ghost.put("digest", "sha256:" + "d".repeat(64));
        ghost.put("size", 500);
        ghost.put("artifactType", RegistrySignatureSource.SIGNATURE_ARTIFACT);
        listed.add(ghost);
        String signature = list(signatureOf(image, 1), RegistrySignatureSource.SIGNATURE_ARTIFACT);

        SignatureSource.Found found =
                source.signatures("r", image, SignatureService.MAX_SIGNATURES);

        assertThat(found.signatures())
                .extracting(SignatureSource.Signature::manifestDigest)
                .containsExactly(signature);
        assertThat(found.skipped())
                .containsExactly("1 referrer listed but missing from the registry");
    }

    @Test
    void theManifestsRead_areBounded_andWhatWasNotLookedAtIsSaid() throws Exception {
        start();
        for (int i = 0; i < RegistrySignatureSource.MAX_MANIFESTS_READ + 5; i++) {
            list(
                    signatureOf("sha256:" + "e".repeat(64), 10 + i),
                    RegistrySignatureSource.SIGNATURE_ARTIFACT);
        }
        SignatureSource.Found found =
                source.signatures("r", image, SignatureService.MAX_SIGNATURES);
        assertThat(found.signatures()).isEmpty();
        assertThat(found.skipped())
                .containsExactly(
                        "64 referrers naming another subject",
                        "5 referrers not looked at (beyond 64 manifests read or 1024 listed)");
    }
}
