package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's docker-registry (CNCF distribution) on 127.0.0.1, filesystem storage in a folder, or S3
 * storage with blob downloads redirected to presigned S3 URLs, the way ECR serves layers.
 */
public final class LocalRegistry implements AutoCloseable {
    private final ChildProcess process;
    private final int port;
    private final Path root;

    private LocalRegistry(ChildProcess process, int port, Path root) {
        this.process = process;
        this.port = port;
        this.root = root;
    }

    public static LocalRegistry filesystem(Path root) {
        return start(
                root,
                "  filesystem:\n    rootdirectory: "
                        + root.resolve("storage").toAbsolutePath()
                        + "\n");
    }

    /**
     * Blobs live in S3 (bucket {@code registry} on the given S3 endpoint); GETs answer 307 to S3.
     */
    public static LocalRegistry redirectingToS3(Path root, String s3Endpoint) {
        return start(
                root,
                "  s3:\n    accesskey: test\n    secretkey: test\n    region: us-east-1\n"
                        + "    regionendpoint: "
                        + s3Endpoint
                        + "\n    bucket: registry\n    secure: false\n    v4auth: true\n"
                        + "    rootdirectory: /\n  redirect:\n    disable: false\n");
    }

    private static LocalRegistry start(Path root, String storage) {
        Path binary = Tools.require("docker-registry", "docker-registry");
        int port = Net.freePort();
        try {
            Files.createDirectories(root);
            Path config = root.resolve("config.yml");
            Files.writeString(
                    config,
                    "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n"
                            + storage
                            + "  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\n"
                            + "http:\n  addr: 127.0.0.1:"
                            + port
                            + "\n");
            // the registry's S3 driver panics on the AWS_CA_BUNDLE these machines set
            ChildProcess p =
                    ChildProcess.start(
                            "docker-registry",
                            List.of(binary.toString(), "serve", config.toString()),
                            Map.of(),
                            List.of("AWS_CA_BUNDLE", "AWS_PROFILE"),
                            root.resolve("registry.log"));
            try {
                Net.awaitPort(port, Duration.ofSeconds(20), p.process(), "docker-registry");
            } catch (IllegalStateException e) {
                p.close();
                throw new IllegalStateException(e.getMessage() + "\n" + p.tail(), e);
            }
            return new LocalRegistry(p, port, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Where a filesystem registry keeps a blob's bytes (tests corrupt it to prove digests are
     * checked).
     */
    public Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return root.resolve(
                "storage/docker/registry/v2/blobs/sha256/"
                        + hex.substring(0, 2)
                        + "/"
                        + hex
                        + "/data");
    }

    @Override
    public void close() {
        process.close();
    }

    public int port() {
        return port;
    }
}
