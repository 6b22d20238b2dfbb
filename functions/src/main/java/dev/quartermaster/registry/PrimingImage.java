package dev.quartermaster.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A priming image: one small OCI image (a config and one gzip layer holding one file) served by a
 * registry of its own on loopback, for the time a primer reads it. A function whose first event
 * reads an image walks that path here before the snapshot (the manifest, a blob streamed and
 * verified, a layer decompressed and untarred) without reading anyone's registry: the primer's
 * event names a digest nothing has, so the real registry only ever answers "not found". Everything
 * it serves is fixed here; it answers only GET and HEAD of its own repository.
 */
public final class PrimingImage implements AutoCloseable {
    /** The repository it serves (a name no estate uses: the guard's mark). */
    public static final String REPOSITORY = dev.quartermaster.common.PrimingGuard.MARK;

    private final java.net.ServerSocket server;
    private final Thread loop;
    private final String digest;

    private PrimingImage(java.net.ServerSocket server, Thread loop, String digest) {
        this.server = server;
        this.loop = loop;
        this.digest = digest;
    }

    /** Serves an image whose layer holds {@code path} with {@code content}. */
    public static PrimingImage serve(String path, String content) {
        byte[] layer = gzip(tar(path, content.getBytes(StandardCharsets.UTF_8)));
        byte[] config =
                ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] manifest =
                ("{\"schemaVersion\":2,\"mediaType\":\""
                                + MediaTypes.OCI_MANIFEST
                                + "\",\"config\":"
                                + descriptor("application/vnd.oci.image.config.v1+json", config)
                                + ",\"layers\":["
                                + descriptor(MediaTypes.OCI_LAYER_TAR + "+gzip", layer)
                                + "]}")
                        .getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> blobs = Map.of(Digests.of(layer), layer, Digests.of(config), config);
        String digest = Digests.of(manifest);
        java.net.ServerSocket server;
        try {
            // 127.0.0.1 whatever the JVM prefers (an IPv6 literal would need brackets in the URL)
            server =
                    new java.net.ServerSocket(
                            0, 8, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String prefix = "/v2/" + REPOSITORY + "/";
        Thread loop =
                new Thread(
                        () -> {
                            while (!server.isClosed()) {
                                try (java.net.Socket socket = server.accept()) {
                                    socket.setSoTimeout(5_000);
                                    answer(socket, prefix, digest, manifest, blobs);
                                } catch (IOException | RuntimeException e) {
                                    // closed, a client gone, a request it cannot parse: the next
                                    // one is served (the client gets a closed connection, never a
                                    // wait)
                                }
                            }
                        },
                        "qm-priming-registry");
        loop.setDaemon(true);
        loop.start();
        return new PrimingImage(server, loop, digest);
    }

    /**
     * One request on {@code socket} (HTTP/1.1, the connection closed after it): the manifest or a
     * blob to a GET or HEAD of this repository, 404 to anything else.
     */
    private static void answer(
            java.net.Socket socket,
            String prefix,
            String digest,
            byte[] manifest,
            Map<String, byte[]> blobs)
            throws IOException {
        var in =
                new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                                socket.getInputStream(), StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null || line.length() > 8192) {
            return;
        }
        for (int headers = 0; headers < 100; headers++) { // the headers, up to the empty line
            String h = in.readLine();
            if (h == null || h.isEmpty()) {
                break;
            }
        }
        String[] parts = line.split(" ");
        String method = parts[0];
        String path = parts.length > 1 ? parts[1] : "";
        byte[] body = null;
        String type = "application/octet-stream";
        if (path.equals(prefix + "manifests/" + digest)) {
            body = manifest;
            type = MediaTypes.OCI_MANIFEST;
        } else if (path.startsWith(prefix + "blobs/")) {
            body = blobs.get(path.substring((prefix + "blobs/").length()));
        }
        boolean get = method.equals("GET");
        var out = socket.getOutputStream();
        if (body == null || !get && !method.equals("HEAD")) {
            out.write(
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(
                    ("HTTP/1.1 200 OK\r\nContent-Type: "
                                    + type
                                    + "\r\nDocker-Content-Digest: "
                                    + Digests.of(body)
                                    + "\r\nContent-Length: "
                                    + body.length
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            if (get) {
                out.write(body);
            }
        }
        out.flush();
    }

    /** The registry's base URL (http, loopback). */
    public String url() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** The image's manifest digest. */
    public String digest() {
        return digest;
    }

    /** A client of this registry, as the functions build theirs (no credentials). */
    public RegistryClient client() {
        return new RegistryClient(url(), RegistryAuth.anonymous());
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closed already
        }
        try {
            loop.join(1_000); // its accept ends with the socket: no thread of it in the snapshot
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String descriptor(String mediaType, byte[] bytes) {
        return "{\"mediaType\":\""
                + mediaType
                + "\",\"digest\":\""
                + Digests.of(bytes)
                + "\",\"size\":"
                + bytes.length
                + "}";
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A POSIX ustar archive of one regular file (its header, its content, two empty blocks). */
    static byte[] tar(String path, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, path);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, "00000000000");
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        int padded = (content.length + 511) / 512 * 512;
        byte[] out = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }

    private static void put(byte[] block, int at, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, block, at, b.length);
    }
}
