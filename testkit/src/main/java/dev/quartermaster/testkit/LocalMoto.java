package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * moto's server (in this machine image's Python tools) on 127.0.0.1: an emulator of the AWS control
 * plane calls that have no other local twin (SSM SendCommand, SNS, ECR GetAuthorizationToken), and
 * of DynamoDB and S3 for the operator commands' AWS mode. moto 5.2 does not implement
 * ssm:DescribeInstanceInformation.
 */
public final class LocalMoto implements AutoCloseable {
    private final ChildProcess process;
    private final int port;

    private LocalMoto(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static LocalMoto start(Path dir) {
        Path server =
                Tools.find("moto_server")
                        .or(
                                () -> {
                                    Path shim =
                                            Path.of(
                                                    System.getProperty("user.home"),
                                                    ".pyenv",
                                                    "shims",
                                                    "moto_server");
                                    return Files.isExecutable(shim)
                                            ? java.util.Optional.of(shim)
                                            : java.util.Optional.empty();
                                })
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "moto_server is not on the PATH: it comes with this machine image's "
                                                        + "Python tools (moto 5.2); there is no PyPI here to install it"));
        int port = Net.freePort();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess p =
                ChildProcess.start(
                        "moto",
                        List.of(server.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port)),
                        Map.of(),
                        List.of("AWS_CA_BUNDLE"),
                        dir.resolve("moto.log"));
        try {
            Net.awaitPort(port, Duration.ofSeconds(60), p.process(), "moto_server");
        } catch (IllegalStateException e) {
            p.close();
            throw new IllegalStateException(e.getMessage() + "\n" + p.tail(), e);
        }
        return new LocalMoto(p, port);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
    }
}
