package dev.quartermaster.cli.local;

import dev.quartermaster.testkit.LocalPodman;
import dev.quartermaster.testkit.LocalRegistry;
import dev.quartermaster.testkit.Net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local stand-in for the EC2 host's compose project: a podman-compose project under the state
 * folder running the app service from the local registry on 127.0.0.1, released to by the same
 * release.sh the SSM document embeds (with podman and podman-compose in place of docker and docker
 * compose).
 */
public final class LocalSite {
    static final String SERVICE = "wordpress";
    static final String VERSION_FILE = "/var/www/html/wp-includes/version.php";
    static final String VERSION_REGEX = "wp_version = .([0-9A-Za-z.+-]+).;";
    private static final Pattern SERVED = Pattern.compile("wp_version = '([^']+)'");
    private final Path dir;
    private final LocalRegistry registry;
    private final LocalPodman podman;
    private final int port;

    private LocalSite(Path dir, LocalRegistry registry, LocalPodman podman, int port) {
        this.dir = dir;
        this.registry = registry;
        this.podman = podman;
        this.port = port;
    }

    /**
     * The site's compose project directory. podman-compose names the project (and so every
     * container) after the directory, so each state folder gets its own name: two sites on one
     * machine (the demo beside a test run) never take each other's containers. A site made before
     * this rule keeps its folder.
     */
    static Path projectDir(Path stateDir) {
        Path former = stateDir.resolve("site");
        if (Files.exists(former.resolve("docker-compose.yml"))) {
            return former;
        }
        String id =
                Integer.toHexString(
                        stateDir.toAbsolutePath().normalize().toString().hashCode() & 0x7fffffff);
        return stateDir.resolve("site-" + id);
    }

    static LocalSite create(Path stateDir, LocalRegistry registry) {
        Path dir = projectDir(stateDir);
        try {
            Files.createDirectories(dir);
            Path portFile = dir.resolve(".port");
            int port =
                    Files.exists(portFile)
                            ? Integer.parseInt(Files.readString(portFile).trim())
                            : Net.freePort();
            Files.writeString(portFile, Integer.toString(port));
            LocalPodman podman =
                    LocalPodman.configure(
                            stateDir.resolve("podman"), List.of("127.0.0.1:" + registry.port()));
            return new LocalSite(dir.toAbsolutePath(), registry, podman, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String imageRepo() {
        return "127.0.0.1:" + registry.port() + "/wordpress";
    }

    public String healthUrl() {
        return "http://127.0.0.1:" + port + "/wp-includes/version.php";
    }

    /**
     * What release.sh is told locally: what the stack fixes in the SSM document, with podman for
     * docker.
     */
    public Map<String, String> scriptEnv() {
        Map<String, String> env = new HashMap<>(podman.env());
        env.put("QM_PROJECT_DIR", dir.toString());
        env.put("QM_IMAGE_REPO", imageRepo());
        env.put("QM_COMPOSE_FILE", "docker-compose.yml");
        env.put("QM_SERVICE", SERVICE);
        env.put("QM_HEALTH_URL", healthUrl());
        env.put("QM_HEALTH_TIMEOUT", "20");
        env.put("QM_VERSION_FILE", VERSION_FILE);
        env.put("QM_VERSION_REGEX", VERSION_REGEX);
        env.put("QM_CONTAINER_CLI", "podman");
        env.put("QM_COMPOSE", "podman-compose");
        env.put("QM_REGISTRY_LOGIN", "none");
        env.put("QM_LOCK_FILE", dir.resolve(".release.lock").toString());
        return env;
    }

    public boolean exists() {
        return Files.exists(dir.resolve("docker-compose.yml"));
    }

    /**
     * First use: the compose project, running {@code digest} (as a host is set up before its first
     * release).
     */
    public void start(String digest) {
        try {
            Files.writeString(
                    dir.resolve("docker-compose.yml"),
                    "services:\n  "
                            + SERVICE
                            + ":\n    image: "
                            + imageRepo()
                            + "@"
                            + digest
                            + "\n    ports: [\"127.0.0.1:"
                            + port
                            + ":8080\"]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var up = podman.run(List.of("podman-compose", "up", "-d"), dir, Map.of());
        if (!up.ok()) {
            throw new IllegalStateException(
                    "podman-compose up failed in " + dir + ":\n" + up.output());
        }
    }

    /** The version the running site serves now ("no answer" when it does not). */
    public String served() {
        try {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(healthUrl()))
                                            .timeout(Duration.ofSeconds(3))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            Matcher m = SERVED.matcher(r.body());
            return r.statusCode() == 200 && m.find() ? m.group(1) : "HTTP " + r.statusCode();
        } catch (IOException e) {
            return "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no answer";
        }
    }

    public String awaitServed(String version, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String now = served();
        while (!now.equals(version) && System.nanoTime() < end) {
            Thread.sleep(250);
            now = served();
        }
        return now;
    }

    /** Stops and removes the site's containers and their volumes. */
    void down() {
        podman.removeProject(dir);
    }
}
