package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * AWS CLI v2, the CLI Amazon Linux 2023 hosts run, found on this machine (Debian's {@code awscli}
 * package, which {@code bin/setup-local} installs, or any v2 on the PATH), and the environment that
 * makes a host script use it against S3Mock: a directory with {@code aws} first on the PATH, and a
 * config file loading the {@code qm_expect_continue} plugin (see that file: CLI 2.9 cannot take
 * Tomcat's reason-less "100" answer; S3's has a reason phrase).
 */
public final class AwsCliV2 {
    private final Path binary;
    private final String version;

    private AwsCliV2(Path binary, String version) {
        this.binary = binary;
        this.version = version;
    }

    /**
     * The first AWS CLI v2 among the PATH's {@code aws} commands and /usr/bin/aws,
     * /usr/local/bin/aws.
     */
    public static Optional<AwsCliV2> find() {
        List<Path> candidates = new ArrayList<>();
        for (String dir :
                System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "aws"));
            }
        }
        candidates.add(Path.of("/usr/bin/aws"));
        candidates.add(Path.of("/usr/local/bin/aws"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                String v = version(c);
                if (v.startsWith("aws-cli/2.")) {
                    return Optional.of(
                            new AwsCliV2(
                                    c,
                                    v.substring(
                                            "aws-cli/".length(),
                                            v.indexOf(' ') > 0 ? v.indexOf(' ') : v.length())));
                }
            }
        }
        return Optional.empty();
    }

    private static String version(Path aws) {
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(aws.toString(), "--version").redirectErrorStream(true);
            pb.environment().remove("AWS_CA_BUNDLE");
            Process p = pb.start();
            String out =
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public String version() {
        return version;
    }

    public Path binary() {
        return binary;
    }

    /**
     * PATH (this CLI's {@code aws} first) and AWS_CONFIG_FILE (the plugin), written under {@code
     * dir}.
     */
    public Map<String, String> environment(Path dir) {
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path link = bin.resolve("aws");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, binary);
            Path plugins = Files.createDirectories(dir.resolve("plugins"));
            try (InputStream in =
                    AwsCliV2.class.getResourceAsStream("awscli2/qm_expect_continue.py")) {
                Files.write(plugins.resolve("qm_expect_continue.py"), in.readAllBytes());
            }
            Path config = dir.resolve("config");
            Files.writeString(
                    config,
                    "[plugins]\ncli_legacy_plugin_path = "
                            + plugins
                            + "\nqm_expect_continue = qm_expect_continue\n");
            return Map.of(
                    "PATH",
                    bin
                            + java.io.File.pathSeparator
                            + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                    "AWS_CONFIG_FILE",
                    config.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
