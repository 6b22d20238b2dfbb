package dev.quartermaster.testutils;

import dev.quartermaster.testkit.LocalRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** One filesystem registry per test JVM, stopped at exit. */
public final class LocalRegistries {
    private static LocalRegistry registry;

    private LocalRegistries() {}

    public static synchronized LocalRegistry shared() {
        if (registry == null) {
            try {
                registry = LocalRegistry.filesystem(Files.createTempDirectory("qm-registry"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        }
        return registry;
    }

    /** Deletes a manifest by digest, as a cleanup job or a lifecycle rule would. */
    public static void deleteManifest(
            dev.quartermaster.testkit.LocalRegistry registry, String repo, String digest)
            throws Exception {
        var r =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        registry.url()
                                                                + "/v2/"
                                                                + repo
                                                                + "/manifests/"
                                                                + digest))
                                        .DELETE()
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException(
                    "deleting "
                            + repo
                            + "@"
                            + digest
                            + " answered "
                            + r.statusCode()
                            + ": "
                            + r.body());
        }
    }
}
