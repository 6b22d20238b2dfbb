package dev.quartermaster.contract;

import java.util.Arrays;
import java.util.List;

/**
 * The function jars: one per family of functions, each with only the SDK modules its functions call
 * (functions/pom.xml builds them; the stack deploys each function from its family's jar; an
 * integration test proves every handler is in its jar and nothing in a jar refers to a class it
 * lacks).
 */
public enum Bundle {
    /**
     * image-action, image-verify, image-scan, alert-sweep: DynamoDB, SNS, ECR (and the JWS library:
     * image-verify checks signatures).
     */
    IMAGES("images", List.of("ledger", "verify", "alerts")),
    /**
     * image-archive, archive-scrub, archive-prune, image-replication, replication-backfill:
     * DynamoDB, SNS, ECR, S3 (the upkeep runs' files).
     */
    ARCHIVE("archive", List.of("archive", "replication")),
    /** the backup, release and lifecycle-guard functions: DynamoDB, SNS, S3, SSM. */
    HOST("host", List.of("backup", "release", "lifecycle"));

    private final String classifier;
    private final List<String> handlerPackages;

    Bundle(String classifier, List<String> handlerPackages) {
        this.classifier = classifier;
        this.handlerPackages = handlerPackages;
    }

    /** The Maven classifier: functions/target/quartermaster-functions-VERSION-CLASSIFIER.jar. */
    public String classifier() {
        return classifier;
    }

    /** The project's version, as Maven built it (one place: the poms). */
    public static String version() {
        try (var in = Bundle.class.getResourceAsStream("version.properties")) {
            var p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "");
            if (v.isEmpty() || v.startsWith("${")) {
                throw new IllegalStateException(
                        "version.properties is missing or unfiltered: build the contract module with Maven");
            }
            return v;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The jar's file name in this build. */
    public String jarName() {
        return jarName(version());
    }

    /** The jar's file name for a version of the functions module. */
    public String jarName(String version) {
        return "quartermaster-functions-" + version + "-" + classifier + ".jar";
    }

    /**
     * The family a handler class belongs to, by its package (dev.quartermaster.PACKAGE.Handler).
     */
    public static Bundle of(String handlerClass) {
        String[] parts = handlerClass.split("\\.");
        String pkg = parts.length > 2 ? parts[2] : "";
        return Arrays.stream(values())
                .filter(b -> b.handlerPackages.contains(pkg))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("no function jar for " + handlerClass));
    }
}
