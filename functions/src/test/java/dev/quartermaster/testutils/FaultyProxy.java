package dev.quartermaster.testutils;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of a local backend that answers 503 to the first {@code
 * failures} requests, then forwards every request as it is: an outage of S3, as the SDK and our
 * retries see it.
 */
public final class FaultyProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP =
            Set.of("host", "connection", "content-length", "transfer-encoding");
    private final HttpServer server;
    private final AtomicInteger failuresLeft;
    private final AtomicInteger refused = new AtomicInteger();

    public FaultyProxy(String target, int failures) throws IOException {
        this.failuresLeft = new AtomicInteger(failures);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(
                "/",
                ex -> {
                    try (ex) {
                        if (failuresLeft.getAndDecrement() > 0) {
                            refused.incrementAndGet();
                            byte[] body =
                                    "<Error><Code>ServiceUnavailable</Code><Message>injected</Message></Error>"
                                            .getBytes();
                            ex.sendResponseHeaders(503, body.length);
                            ex.getResponseBody().write(body);
                            return;
                        }
                        HttpURLConnection c =
                                (HttpURLConnection)
                                        URI.create(target + ex.getRequestURI())
                                                .toURL()
                                                .openConnection();
                        c.setRequestMethod(ex.getRequestMethod());
                        c.setInstanceFollowRedirects(false);
                        for (Map.Entry<String, List<String>> h :
                                ex.getRequestHeaders().entrySet()) {
                            if (!HOP_BY_HOP.contains(
                                    h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                                h.getValue().forEach(v -> c.addRequestProperty(h.getKey(), v));
                            }
                        }
                        byte[] request = ex.getRequestBody().readAllBytes();
                        if (request.length > 0
                                || "PUT".equals(ex.getRequestMethod())
                                || "POST".equals(ex.getRequestMethod())) {
                            c.setDoOutput(true);
                            c.setFixedLengthStreamingMode(request.length);
                            try (OutputStream o = c.getOutputStream()) {
                                o.write(request);
                            }
                        }
                        int status = c.getResponseCode();
                        c.getHeaderFields()
                                .forEach(
                                        (k, vs) -> {
                                            if (k != null
                                                    && !HOP_BY_HOP.contains(
                                                            k.toLowerCase(java.util.Locale.ROOT))) {
                                                vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                                            }
                                        });
                        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
                        byte[] response = in == null ? new byte[0] : in.readAllBytes();
                        boolean head = "HEAD".equals(ex.getRequestMethod());
                        if (head && c.getHeaderField("Content-Length") != null) {
                            ex.getResponseHeaders()
                                    .set(
                                            "Content-Length",
                                            c.getHeaderField(
                                                    "Content-Length")); // HEAD: the size, no body
                        }
                        ex.sendResponseHeaders(
                                status, head || response.length == 0 ? -1 : response.length);
                        if (!head && response.length > 0) {
                            ex.getResponseBody().write(response);
                        }
                    }
                });
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests were answered 503. */
    public int refused() {
        return refused.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
