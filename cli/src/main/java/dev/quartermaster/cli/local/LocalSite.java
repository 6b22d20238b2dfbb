package dev.quartermaster.cli.local;

import dev.quartermaster.contract.Host;
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
import java.nio.file.attribute.PosixFilePermissions;
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
 *
 * <p>Each app host has a site of its own (its own project directory, project name and port), all
 * pulling from the one local registry; the one MariaDB on this machine is every host's database.
 * The host of a one-host configuration ({@link Host#DEFAULT_NAME}) keeps the site it always had. A
 * named host's site also carries a fault device ({@link #failHealth}): its health endpoint can be
 * told to answer 500 for a version, as a host whose configuration the new release does not survive.
 */
public final class LocalSite {
    static final String SERVICE = "wordpress";
    static final String VERSION_FILE = "/var/www/html/wp-includes/version.php";
    static final String VERSION_REGEX = "wp_version = .([0-9A-Za-z.+-]+).;";
    private static final Pattern SERVED = Pattern.compile("wp_version = '([^']+)'");

    /** The fault device's folder in a named host's site, mounted read-only at the same path. */
    static final String FAULT_DIR = "qm-fault";

    private final String host;
    private final Path dir;
    private final LocalRegistry registry;
    private final LocalPodman podman;
    private final int port;

    private LocalSite(String host, Path dir, LocalRegistry registry, LocalPodman podman, int port) {
        this.host = host;
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
        return stateDir.resolve("site-" + stateId(stateDir));
    }

    /**
     * The compose project directory of one app host: the one-host configuration's host keeps {@link
     * #projectDir(Path)}; any other host gets {@code site-<state id>-<host name>}, so its project
     * (and containers) are named after both.
     */
    static Path projectDir(Path stateDir, String host) {
        if (Host.DEFAULT_NAME.equals(host)) {
            return projectDir(stateDir);
        }
        return stateDir.resolve("site-" + stateId(stateDir) + "-" + host);
    }

    private static String stateId(Path stateDir) {
        return Integer.toHexString(
                stateDir.toAbsolutePath().normalize().toString().hashCode() & 0x7fffffff);
    }

    static LocalSite create(Path stateDir, LocalRegistry registry) {
        return create(stateDir, registry, Host.DEFAULT_NAME);
    }

    /** The site of the app host named {@code host} (a {@link Host#NAME}). */
    static LocalSite create(Path stateDir, LocalRegistry registry, String host) {
        if (!Host.NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name: " + host);
        }
        Path dir = projectDir(stateDir, host);
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
            return new LocalSite(host, dir.toAbsolutePath(), registry, podman, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The app host this site stands for. */
    public String host() {
        return host;
    }

    /** The compose project's directory (podman-compose names the project after it). */
    public Path dir() {
        return dir;
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
            String compose =
                    "services:\n  "
                            + SERVICE
                            + ":\n    image: "
                            + imageRepo()
                            + "@"
                            + digest
                            + "\n    ports: [\"127.0.0.1:"
                            + port
                            + ":8080\"]\n";
            if (!Host.DEFAULT_NAME.equals(host)) {
                compose += faultDevice();
            }
            Files.writeString(dir.resolve("docker-compose.yml"), compose);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var up = podman.run(List.of("podman-compose", "up", "-d"), dir, Map.of());
        if (!up.ok()) {
            throw new IllegalStateException(
                    "podman-compose up failed in " + dir + ":\n" + up.output());
        }
    }

    /**
     * The fault device of a named host's site: busybox httpd (the test images' server) reads
     * /etc/httpd.conf, which here hands every {@code .php} file to a small CGI interpreter. It
     * serves the file as it is, unless {@code qm-fault/fail-version} names the version the file
     * declares (or {@code *}): then it answers 500, so release.sh's health probe fails on this host
     * for that version only and the rollback to the previous one proves.
     *
     * @return the compose lines mounting it
     */
    private String faultDevice() throws IOException {
        Path fault = dir.resolve(FAULT_DIR);
        Files.createDirectories(fault);
        Files.writeString(fault.resolve("httpd.conf"), "*.php:/" + FAULT_DIR + "/php\n");
        Path php = fault.resolve("php");
        Files.writeString(
                php,
                "#!/bin/sh\n"
                        + "# Quartermaster's local fault device: busybox httpd runs this for *.php"
                        + " ($1: the file, in its folder)\n"
                        + "body=\"$(cat \"$1\")\"\n"
                        + "fail=\"$(cat /"
                        + FAULT_DIR
                        + "/fail-version 2>/dev/null)\"\n"
                        + "case \"$fail\" in\n"
                        + "  '') ;;\n"
                        + "  '*') fail_now=1 ;;\n"
                        + "  *) case \"$body\" in *\"'$fail'\"*) fail_now=1 ;; esac ;;\n"
                        + "esac\n"
                        + "if [ -n \"$fail_now\" ]; then\n"
                        + "  printf 'Status: 500 Internal Server Error\\r\\nContent-Type:"
                        + " text/plain\\r\\n\\r\\nfault device: this host fails %s\\n' \"$fail\"\n"
                        + "  exit 0\n"
                        + "fi\n"
                        + "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                        + "printf '%s\\n' \"$body\"\n");
        Files.setPosixFilePermissions(php, PosixFilePermissions.fromString("rwxr-xr-x"));
        return "    volumes:\n      - \""
                + fault.resolve("httpd.conf")
                + ":/etc/httpd.conf:ro\"\n      - \""
                + fault
                + ":/"
                + FAULT_DIR
                + ":ro\"\n";
    }

    /**
     * Arms the fault device: from now on this host's health endpoint answers 500 while it serves
     * {@code version} ({@code *}: any version). Takes effect on the next request, no restart.
     *
     * @throws IllegalStateException on the one-host configuration's site, which has no device
     */
    public void failHealth(String version) {
        if (Host.DEFAULT_NAME.equals(host)) {
            throw new IllegalStateException(
                    "the site of host '"
                            + host
                            + "' has no fault device: name the hosts (e.g. web1, web2) in hosts");
        }
        if (!version.equals("*") && !version.matches("[0-9A-Za-z.+-]{1,64}")) {
            throw new IllegalArgumentException("not a version: " + version);
        }
        try {
            Path fault = Files.createDirectories(dir.resolve(FAULT_DIR));
            Files.writeString(fault.resolve("fail-version"), version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Disarms the fault device: the health endpoint answers as the image does. */
    public void healHealth() {
        try {
            Files.deleteIfExists(dir.resolve(FAULT_DIR).resolve("fail-version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** Waits until the site answers at all (any version, or an HTTP error), and says what. */
    public String awaitAnswer(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String now = served();
        while (now.equals("no answer") && System.nanoTime() < end) {
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
