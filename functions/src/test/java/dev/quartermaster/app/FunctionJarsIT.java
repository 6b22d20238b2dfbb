package dev.quartermaster.app;

import dev.quartermaster.contract.Bundle;
import dev.quartermaster.contract.Catalog;
import dev.quartermaster.contract.FunctionSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The function jars as built (the package phase runs before this): each family's jar holds its
 * functions' handlers and none of another family's code, leaves out the SDK modules its functions
 * never call, and nothing of ours in it refers to a class it lacks (jdeps over the whole jar), so a
 * function cannot fail on a missing class at run time. Also: no Powertools class list for its
 * checkpoint hook to preload (it names AspectJ classes the jars do not carry).
 */
class FunctionJarsIT {
    private static final Path TARGET = Path.of("target");
    private static final String VERSION =
            System.getProperty("qm.version", dev.quartermaster.contract.Bundle.version());

    @ParameterizedTest
    @EnumSource(Bundle.class)
    void eachJar_holdsItsHandlers_onlyItsSdkModules_andNoDanglingReferenceOfOurs(Bundle bundle)
            throws Exception {
        Path jar = TARGET.resolve(bundle.jarName(VERSION));
        assertThat(jar).isRegularFile();
        Set<String> entries;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            entries = zip.stream().map(java.util.zip.ZipEntry::getName).collect(Collectors.toSet());
        }
        for (FunctionSpec spec : Catalog.ALL) {
            String entry = spec.handlerClass().replace('.', '/') + ".class";
            assertThat(entries.contains(entry))
                    .as(
                            spec.name()
                                    + (spec.bundle() == bundle ? " in " : " not in ")
                                    + jar.getFileName())
                    .isEqualTo(spec.bundle() == bundle);
        }
        assertThat(entries.stream().filter(e -> e.startsWith("dev/quartermaster/app/")).toList())
                .isEmpty();
        assertThat(entries.contains("classesloaded.txt")).as("Powertools' preload list").isFalse();
        List<String> services =
                switch (bundle) {
                    case IMAGES -> List.of("dynamodb", "sns", "ecr");
                    case ARCHIVE -> List.of("dynamodb", "sns", "ecr", "s3");
                    case HOST ->
                            List.of(
                                    "dynamodb",
                                    "sns",
                                    "s3",
                                    "ssm",
                                    "ecr"); // ecr: the release marks
                };
        for (String service : List.of("dynamodb", "sns", "ecr", "s3", "ssm")) {
            String client = "software/amazon/awssdk/services/" + service + "/";
            assertThat(entries.stream().anyMatch(e -> e.startsWith(client)))
                    .as(client + (services.contains(service) ? " in " : " not in ") + bundle)
                    .isEqualTo(services.contains(service));
        }

        // the JWS library only where signatures are verified (image-verify), Bouncy Castle nowhere;
        // and the jars' sizes
        assertThat(entries.stream().anyMatch(e -> e.startsWith("com/nimbusds/")))
                .as("nimbus-jose-jwt in " + bundle)
                .isEqualTo(bundle == Bundle.IMAGES);
        assertThat(entries.stream().anyMatch(e -> e.startsWith("org/bouncycastle/")))
                .as("Bouncy Castle in " + bundle)
                .isFalse();
        assertThat(
                        entries.stream()
                                .anyMatch(
                                        e -> e.startsWith("io/burt/") || e.startsWith("org/joda/")))
                .as("JMESPath, Joda-Time")
                .isFalse();
        long limit =
                switch (bundle) {
                    case IMAGES -> 16L << 20;
                    case ARCHIVE -> 20L << 20;
                    case HOST -> 26L << 20;
                };
        assertThat(java.nio.file.Files.size(jar))
                .as(jar.getFileName() + " in bytes")
                .isLessThanOrEqualTo(limit);

        assertLogs(jar);

        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc =
                jdeps.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        "--missing-deps",
                        "--multi-release",
                        "21",
                        jar.toString());
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> ours =
                report.lines()
                        .map(String::strip)
                        .filter(l -> l.startsWith("dev.quartermaster."))
                        .toList();
        assertThat(ours)
                .as("classes of ours referring to classes missing from " + jar.getFileName())
                .isEmpty();
    }

    /**
     * A line logged through SLF4J in a fresh JVM with only the jar (and the probe) reaches the
     * console as the JSON layout writes it, and Log4j reports no error: a class the jar leaves out
     * that the configuration needs fails every plugin of it, and then nothing is logged at all.
     */
    private static void assertLogs(Path jar) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                javaBin,
                                "-cp",
                                jar.toAbsolutePath()
                                        + java.io.File.pathSeparator
                                        + Path.of("target", "test-classes").toAbsolutePath(),
                                LogProbe.class.getName())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out)
                .as(jar.getFileName() + ": its log configuration works")
                .doesNotContain("ERROR")
                .contains("qm-log-probe");
    }
}
