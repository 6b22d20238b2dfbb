package dev.quartermaster.testkit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Adobe S3Mock, a real S3 REST server, as a child process (its Spring Boot jar, from Maven
 * Central).
 */
public final class LocalS3 implements AutoCloseable {
    private final ChildProcess process;
    private final int port;

    private LocalS3(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Path jar() {
        Properties p = new Properties();
        try (InputStream in =
                LocalS3.class.getResourceAsStream("/quartermaster-testkit.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path jar = Path.of(p.getProperty("s3mock.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "S3Mock jar "
                            + jar
                            + " is missing: build the testkit module (mvn -pl testkit package)");
        }
        return jar;
    }

    private static String codeSource() {
        try {
            return Path.of(
                            LoopbackSelectorProvider.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LocalS3 start(Path root, List<String> buckets) {
        int port = Net.freePort();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess p =
                ChildProcess.start(
                        "S3Mock",
                        List.of(
                                java,
                                "-Xmx512m",
                                "-XX:TieredStopAtLevel=1",
                                // its HTTP connector has no address setting: every listening socket
                                // of that JVM is bound to loopback
                                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                                "-Djava.nio.channels.spi.SelectorProvider="
                                        + LoopbackSelectorProvider.class.getName(),
                                "-cp",
                                jar() + File.pathSeparator + codeSource(),
                                "org.springframework.boot.loader.launch.JarLauncher",
                                "--http.port=" + port,
                                "--server.port=0",
                                "--server.address=127.0.0.1",
                                "--com.adobe.testing.s3mock.store.root=" + root.toAbsolutePath(),
                                "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
                                "--com.adobe.testing.s3mock.store.initial-buckets="
                                        + String.join(",", buckets),
                                "--logging.level.root=WARN",
                                "--spring.main.banner-mode=off"),
                        Map.of(),
                        List.of(),
                        root.resolveSibling(root.getFileName() + ".log"));
        try {
            Net.awaitPort(port, Duration.ofSeconds(90), p.process(), "S3Mock");
        } catch (IllegalStateException e) {
            p.close();
            throw new IllegalStateException(e.getMessage() + "\n" + p.tail(), e);
        }
        LocalS3 s3 = new LocalS3(p, port);
        s3.awaitReady();
        return s3;
    }

    private void awaitReady() {
        long deadline = System.currentTimeMillis() + 60_000;
        try (S3Client c = client()) {
            while (true) {
                try {
                    c.listBuckets();
                    return;
                } catch (RuntimeException e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException(
                                "S3Mock did not answer ListBuckets: "
                                        + e.getMessage()
                                        + "\n"
                                        + process.tail(),
                                e);
                    }
                    Net.sleep(200);
                }
            }
        }
    }

    /** The S3Mock JVM's process id. */
    public long pid() {
        return process.process().pid();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("test", "test")))
                .build();
    }

    /** Variables for the AWS CLI (v1) to talk to this server. */
    public Map<String, String> cliEnvironment() {
        return Map.of(
                "AWS_ACCESS_KEY_ID",
                "test",
                "AWS_SECRET_ACCESS_KEY",
                "test",
                "AWS_DEFAULT_REGION",
                "us-east-1",
                "AWS_REGION",
                "us-east-1",
                "AWS_ENDPOINT_URL",
                endpoint(),
                "AWS_ENDPOINT_URL_S3",
                endpoint(),
                "AWS_REQUEST_CHECKSUM_CALCULATION",
                "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION",
                "when_required");
    }

    @Override
    public void close() {
        process.close();
    }

    public int port() {
        return port;
    }
}
