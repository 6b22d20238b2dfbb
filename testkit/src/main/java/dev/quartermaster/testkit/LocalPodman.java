package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real containers with Debian's podman, runc and podman-compose, as root, configured by
 * project-local files only (CONTAINERS_CONF: runc and no default ulimits, which this machine
 * refuses; a registries.conf that lets podman pull from the local registry over http). Nothing
 * under /etc changes.
 */
public final class LocalPodman {
    private final Path dir;
    private final Map<String, String> env;

    private LocalPodman(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /**
     * @param insecureRegistries host:port of local http registries podman may pull from
     */
    public static LocalPodman configure(Path dir, List<String> insecureRegistries) {
        Tools.require("podman", "podman");
        Tools.require("podman-compose", "podman-compose");
        Tools.require("runc", "runc");
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("containers.conf");
            Files.writeString(
                    conf, "[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = \"runc\"\n");
            Path registries = dir.resolve("registries.conf");
            StringBuilder r = new StringBuilder();
            for (String host : insecureRegistries) {
                r.append("[[registry]]\nlocation = \"")
                        .append(host)
                        .append("\"\ninsecure = true\n\n");
            }
            Files.writeString(registries, r.toString());
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CONTAINERS_CONF", conf.toString());
            env.put("CONTAINERS_REGISTRIES_CONF", registries.toString());
            return new LocalPodman(dir, Map.copyOf(env));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a script or command needs in its environment to use this podman. */
    public Map<String, String> env() {
        return env;
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command with this podman's environment; output and errors together. */
    public Result run(List<String> command, Path workDir, Map<String, String> extraEnv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            pb.environment().putAll(extraEnv);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        String.join(" ", command) + " did not finish in 10 minutes");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes every container of a compose project directory, and their volumes. */
    public void removeProject(Path projectDir) {
        Result ids =
                run(
                        List.of(
                                "podman",
                                "ps",
                                "-a",
                                "-q",
                                "--filter",
                                "label=com.docker.compose.project.working_dir=" + projectDir),
                        null,
                        Map.of());
        List<String> cmd = new ArrayList<>(List.of("podman", "rm", "-f", "-v"));
        ids.output()
                .lines()
                .map(String::trim)
                .filter(l -> l.matches("[a-f0-9]+"))
                .forEach(cmd::add);
        if (cmd.size() > 4) {
            run(cmd, null, Map.of());
        }
    }

    /**
     * A tiny web app image: Debian's static busybox serving {@code /www} (declared a volume, as
     * WordPress declares /var/www/html) on port 8080, with {@code /www/version.txt} holding
     * "version=V"; when {@code serves} is false its command sleeps instead, so it never answers.
     */
    public static OciImages.Image webImage(String version, boolean serves) {
        return webImage(version, serves, "");
    }

    /**
     * @param build a build label: images of separate test runs get separate image IDs on the shared
     *     podman storage
     */
    public static OciImages.Image webImage(String version, boolean serves, String build) {
        Map<String, byte[]> files = new LinkedHashMap<>(busyboxFiles());
        files.put(
                "www/version.txt", ("version=" + version + "\n").getBytes(StandardCharsets.UTF_8));
        files.put(
                "www/index.html",
                ("<h1>app " + version + "</h1>\n").getBytes(StandardCharsets.UTF_8));
        OciImages.Blob layer = OciImages.layer(files, false, BUSYBOX_EXECUTABLES);
        // as PID 1 busybox ignores SIGTERM: the shell traps it, so a stop takes milliseconds, not
        // podman's 10 s timeout
        String run = serves ? "/bin/busybox httpd -f -p 8080 -h /www" : "/bin/busybox sleep 3600";
        List<String> cmd = List.of("/bin/sh", "-c", "trap 'exit 0' TERM; " + run + " & wait");
        return OciImages.image(
                List.of(layer),
                new HashMap<>(
                        Map.of(
                                "org.opencontainers.image.version",
                                version,
                                "dev.quartermaster.test.build",
                                build)),
                List.of(),
                "amd64",
                cmd,
                List.of("/www"));
    }

    /**
     * A runnable WordPress-like image: incompressible base layers, Debian's static busybox, and the
     * WordPress layer holding version.php both where the verifier looks (/usr/src/wordpress) and
     * where the running site serves it from (/var/www/html, declared a volume as the official image
     * does), served by busybox httpd on 8080.
     */
    public static OciImages.Image wordpressImage(
            String version, int baseLayers, int baseLayerBytes, String build) {
        return wordpressImage(version, baseLayers, baseLayerBytes, build, true);
    }

    /**
     * @param serves false: the container starts but its server never answers (a broken release)
     */
    public static OciImages.Image wordpressImage(
            String version, int baseLayers, int baseLayerBytes, String build, boolean serves) {
        List<OciImages.Blob> layers = new java.util.ArrayList<>();
        for (int i = 0; i < baseLayers; i++) {
            layers.add(
                    OciImages.layer(
                            Map.of(
                                    "usr/lib/base-" + i + ".so",
                                    OciImages.randomBytes(baseLayerBytes, 1000 + i))));
        }
        layers.add(OciImages.layer(busyboxFiles(), false, BUSYBOX_EXECUTABLES));
        byte[] php = OciImages.versionPhp(version);
        Map<String, byte[]> wp = new LinkedHashMap<>();
        wp.put("usr/src/wordpress/wp-includes/version.php", php);
        wp.put("var/www/html/wp-includes/version.php", php);
        wp.put(
                "var/www/html/index.html",
                ("<h1>WordPress " + version + "</h1>\n").getBytes(StandardCharsets.UTF_8));
        layers.add(OciImages.layer(wp));
        String server =
                serves
                        ? "/bin/busybox httpd -f -p 8080 -h /var/www/html"
                        : "/bin/busybox sleep 3600";
        List<String> cmd = List.of("/bin/sh", "-c", "trap 'exit 0' TERM; " + server + " & wait");
        return OciImages.image(
                layers,
                new HashMap<>(
                        Map.of(
                                "org.opencontainers.image.title",
                                "wordpress",
                                "dev.quartermaster.build",
                                build)),
                List.of("PHP_VERSION=8.2.26"),
                "amd64",
                cmd,
                List.of("/var/www/html"));
    }

    private static final List<String> BUSYBOX_PATHS = List.of("bin/busybox", "bin/sh", "bin/cat");
    private static final java.util.Set<String> BUSYBOX_EXECUTABLES =
            java.util.Set.copyOf(BUSYBOX_PATHS);

    /**
     * Debian's static busybox as /bin/busybox, and as the sh and cat a container's commands and
     * `exec cat` need.
     */
    private static Map<String, byte[]> busyboxFiles() {
        byte[] busybox;
        try {
            busybox = Files.readAllBytes(Tools.require("busybox", "busybox-static").toRealPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> bin = new LinkedHashMap<>();
        BUSYBOX_PATHS.forEach(path -> bin.put(path, busybox));
        return bin;
    }

    public Path dir() {
        return dir;
    }
}
