package dev.quartermaster.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Builds OCI images without Docker (gzip'd tar layers, a config, a manifest, an index) and pushes
 * them through the distribution API, as {@code docker push} would.
 */
public final class OciImages {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private OciImages() {}

    /** A blob: its bytes and digest. */
    public record Blob(byte[] bytes, String digest, String mediaType) {
        public static Blob of(byte[] bytes, String mediaType) {
            return new Blob(bytes, sha256(bytes), mediaType);
        }
    }

    /** An image ready to push. */
    public record Image(Blob config, List<Blob> layers, Blob manifest, String architecture) {
        public long compressedSize() {
            return config.bytes().length + layers.stream().mapToLong(b -> b.bytes().length).sum();
        }
    }

    public static final String LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

    /**
     * A gzip'd tar layer of the given files (path → content); a path ending in /.wh.x is a
     * whiteout.
     */
    public static Blob layer(Map<String, byte[]> files) {
        return layer(files, false);
    }

    /** A tar layer compressed with zstd (as buildx's compression=zstd writes) or gzip. */
    public static Blob layer(Map<String, byte[]> files, boolean zstd) {
        return layer(files, zstd, java.util.Set.of());
    }

    /**
     * @param executables paths written with mode 0755 (the rest 0644)
     */
    public static Blob layer(
            Map<String, byte[]> files, boolean zstd, java.util.Set<String> executables) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            java.io.OutputStream compressed =
                    zstd
                            ? new io.airlift.compress.zstd.ZstdOutputStream(out)
                            : new GZIPOutputStream(out);
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                    e.setSize(f.getValue().length);
                    e.setModTime(0);
                    e.setMode(executables.contains(f.getKey()) ? 0100755 : 0100644);
                    tar.putArchiveEntry(e);
                    tar.write(f.getValue());
                    tar.closeArchiveEntry();
                }
            }
            return Blob.of(out.toByteArray(), zstd ? LAYER_ZSTD : LAYER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Incompressible filler, as real binaries and libraries mostly are. */
    public static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** WordPress's version.php, as the official image ships it. */
    public static byte[] versionPhp(String version) {
        return ("<?php\n/**\n * WordPress Version\n *\n * Contains version information for the current WordPress release.\n */\n"
                        + "$wp_version = '"
                        + version
                        + "';\n$wp_db_version = 57155;\n$tinymce_version = '49110-20201110';\n"
                        + "$required_php_version = '7.0.0';\n$required_mysql_version = '5.5.5';\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static Image image(
            List<Blob> layers, Map<String, String> labels, List<String> env, String architecture) {
        return image(layers, labels, env, architecture, List.of(), List.of());
    }

    /**
     * @param cmd the container's command; @param volumes paths declared as (anonymous) volumes, as
     *     WordPress's /var/www/html
     */
    public static Image image(
            List<Blob> layers,
            Map<String, String> labels,
            List<String> env,
            String architecture,
            List<String> cmd,
            List<String> volumes) {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", architecture);
        config.put("os", "linux");
        ObjectNode c = config.putObject("config");
        ArrayNode envs = c.putArray("Env");
        env.forEach(envs::add);
        ObjectNode l = c.putObject("Labels");
        labels.forEach(l::put);
        if (!cmd.isEmpty()) {
            ArrayNode cmds = c.putArray("Cmd");
            cmd.forEach(cmds::add);
        }
        if (!volumes.isEmpty()) {
            ObjectNode vs = c.putObject("Volumes");
            volumes.forEach(v -> vs.putObject(v));
        }
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(
                b -> diffIds.add(diffId(b))); // the uncompressed tar's digest, as umoci and engines
        // check
        Blob configBlob = Blob.of(bytes(config), CONFIG);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.set("config", descriptor(configBlob));
        ArrayNode ls = manifest.putArray("layers");
        layers.forEach(b -> ls.add(descriptor(b)));
        return new Image(
                configBlob, List.copyOf(layers), Blob.of(bytes(manifest), MANIFEST), architecture);
    }

    /** An OCI index over platform images (linux/amd64, linux/arm64, ...). */
    public static Blob index(List<Image> images) {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        ArrayNode ms = index.putArray("manifests");
        for (Image i : images) {
            ObjectNode d = descriptor(i.manifest());
            ObjectNode p = d.putObject("platform");
            p.put("architecture", i.architecture());
            p.put("os", "linux");
            ms.add(d);
        }
        return Blob.of(bytes(index), INDEX);
    }

    /** The sha256 of a layer's uncompressed tar. */
    public static String diffId(Blob layer) {
        try (java.io.InputStream in =
                layer.mediaType().endsWith("zstd")
                        ? new io.airlift.compress.zstd.ZstdInputStream(
                                new java.io.ByteArrayInputStream(layer.bytes()))
                        : layer.mediaType().endsWith("gzip")
                                ? new java.util.zip.GZIPInputStream(
                                        new java.io.ByteArrayInputStream(layer.bytes()))
                                : new java.io.ByteArrayInputStream(layer.bytes())) {
            return sha256(in.readAllBytes());
        } catch (IOException | RuntimeException e) {
            return layer
                    .digest(); // not a compressed tar (a hostile test layer): nothing unpacks it
        }
    }

    private static ObjectNode descriptor(Blob b) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", b.mediaType());
        d.put("digest", b.digest());
        d.put("size", b.bytes().length);
        return d;
    }

    private static byte[] bytes(Object node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pushes blobs and manifests to a registry over the distribution API. */
    public static final class Pusher {
        private final String registry;
        private final HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        public Pusher(String registryUrl) {
            this.registry = registryUrl;
        }

        /** Pushes an image under a tag; returns the manifest digest. */
        public String push(String repo, String tag, Image image) {
            blob(repo, image.config());
            image.layers().forEach(l -> blob(repo, l));
            manifest(repo, tag, image.manifest());
            return image.manifest().digest();
        }

        /**
         * Pushes each platform image by digest, then the index under the tag; returns the index
         * digest.
         */
        public String pushIndex(String repo, String tag, List<Image> images) {
            for (Image i : images) {
                blob(repo, i.config());
                i.layers().forEach(l -> blob(repo, l));
                manifest(repo, i.manifest().digest(), i.manifest());
            }
            Blob index = index(images);
            manifest(repo, tag, index);
            return index.digest();
        }

        public void blob(String repo, Blob blob) {
            try {
                HttpResponse<String> head =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        registry
                                                                + "/v2/"
                                                                + repo
                                                                + "/blobs/"
                                                                + blob.digest()))
                                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (head.statusCode() == 200) {
                    return; // already there: shared layers are stored once
                }
                HttpResponse<String> start =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        registry
                                                                + "/v2/"
                                                                + repo
                                                                + "/blobs/uploads/"))
                                        .POST(HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                expect(start, 202, "start upload");
                String location = start.headers().firstValue("Location").orElseThrow();
                URI upload = URI.create(registry).resolve(location);
                String sep = upload.toString().contains("?") ? "&" : "?";
                HttpResponse<String> put =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        upload + sep + "digest=" + blob.digest()))
                                        .header("Content-Type", "application/octet-stream")
                                        .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.bytes()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                expect(put, 201, "upload blob " + blob.digest());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        public void manifest(String repo, String reference, Blob manifest) {
            try {
                HttpResponse<String> put =
                        http.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        registry
                                                                + "/v2/"
                                                                + repo
                                                                + "/manifests/"
                                                                + reference))
                                        .header("Content-Type", manifest.mediaType())
                                        .PUT(
                                                HttpRequest.BodyPublishers.ofByteArray(
                                                        manifest.bytes()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                expect(put, 201, "put manifest " + repo + ":" + reference);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static void expect(HttpResponse<String> r, int status, String what) {
            if (r.statusCode() != status) {
                throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
            }
        }
    }

    /**
     * A WordPress-like image: base layers, the version file in the second-to-top layer, a small top
     * layer.
     */
    public static Image wordpressLike(
            String version,
            int fillerLayers,
            int fillerBytesPerLayer,
            int versionLayerFillerBytes) {
        List<Blob> layers = new ArrayList<>();
        for (int i = 0; i < fillerLayers; i++) {
            layers.add(
                    layer(
                            Map.of(
                                    "usr/lib/base-" + i + ".so",
                                    randomBytes(fillerBytesPerLayer, 1000 + i))));
        }
        Map<String, byte[]> wp = new LinkedHashMap<>();
        wp.put(
                "usr/src/wordpress/index.php",
                "<?php require __DIR__ . '/wp-blog-header.php';\n"
                        .getBytes(StandardCharsets.UTF_8));
        wp.put("usr/src/wordpress/wp-includes/version.php", versionPhp(version));
        if (versionLayerFillerBytes > 0) {
            wp.put(
                    "usr/src/wordpress/wp-includes/blocks.bin",
                    randomBytes(versionLayerFillerBytes, version.hashCode()));
        }
        layers.add(layer(wp));
        layers.add(
                layer(
                        Map.of(
                                "usr/local/bin/docker-entrypoint.sh",
                                ("#!/bin/bash\n# " + version + "\nexec \"$@\"\n")
                                        .getBytes(StandardCharsets.UTF_8))));
        return image(
                layers,
                Map.of("org.opencontainers.image.title", "wordpress"),
                List.of("PHP_VERSION=8.2.26"),
                "amd64");
    }
}
