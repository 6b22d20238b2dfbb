package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** Loopback ports: find a free one, wait until one answers. */
public final class Net {
    private Net() {}

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for a TCP listener on 127.0.0.1:port, failing with {@code what} if the process died or
     * time ran out.
     */
    public static void awaitPort(int port, Duration timeout, Process process, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(
                        what
                                + " exited with code "
                                + process.exitValue()
                                + " before listening on port "
                                + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IllegalStateException(
                what
                        + " did not listen on 127.0.0.1:"
                        + port
                        + " within "
                        + timeout.toSeconds()
                        + " s");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The local addresses on which something listens on {@code port}, read from /proc/net/tcp and
     * tcp6 (Linux): "127.0.0.1", "0.0.0.0", "::", ... Nothing is connected to.
     */
    public static java.util.Set<String> listeningAddresses(int port) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String file : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line :
                        java.nio.file.Files.readAllLines(java.nio.file.Path.of(file)).stream()
                                .skip(1)
                                .toList()) {
                    String[] f = line.trim().split("\\s+");
                    String[] local = f[1].split(":");
                    if (!"0A".equals(f[3]) || Integer.parseInt(local[1], 16) != port) {
                        continue; // 0A: LISTEN
                    }
                    out.add(address(local[0]));
                }
            } catch (java.io.IOException e) {
                // no such table (no IPv6): nothing listens there
            }
        }
        return out;
    }

    /**
     * The addresses of every socket process {@code pid} listens on (TCP, v4 and v6), from /proc.
     */
    public static java.util.Set<String> listeningAddressesOf(long pid) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/fd"))) {
            for (var fd : (Iterable<java.nio.file.Path>) fds::iterator) {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (java.io.IOException e) {
                    // closed meanwhile
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the sockets of process " + pid, e);
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String file : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line :
                        java.nio.file.Files.readAllLines(java.nio.file.Path.of(file)).stream()
                                .skip(1)
                                .toList()) {
                    String[] f = line.trim().split("\\s+");
                    if ("0A".equals(f[3]) && inodes.contains(f[9])) {
                        out.add(address(f[1].split(":")[0]));
                    }
                }
            } catch (java.io.IOException e) {
                // no such table (no IPv6)
            }
        }
        return out;
    }

    private static String address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        // /proc stores each 32-bit word in host (little-endian) order
        for (int w = 0; w < b.length; w += 4) {
            byte t = b[w];
            b[w] = b[w + 3];
            b[w + 3] = t;
            t = b[w + 1];
            b[w + 1] = b[w + 2];
            b[w + 2] = t;
        }
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
