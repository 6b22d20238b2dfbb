package dev.quartermaster.common;

import dev.quartermaster.contract.Setting;
import dev.quartermaster.events.EventOrigin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;

/**
 * The events a primer hands its function: AWS's own shapes, each a copy of the fixture under {@code
 * events/} that names its source (the copies are tested equal), with this function's account,
 * region and repository, a priming id, and a digest nothing has ({@link Priming#NO_DIGEST}). Run
 * through {@link PrimingGuard}, they take the function's real path and write nothing.
 */
public final class PrimingEvents {
    private PrimingEvents() {}

    /** The fixtures the primers use, as the function jars carry them. */
    public static final java.util.List<String> FIXTURES =
            java.util.List.of(
                    "image-action-push.json",
                    "image-scan-clean.json",
                    "scheduled-backup.json",
                    "ecr-lifecycle-expired.json",
                    "replication-success.json");

    /** The fixtures' own values, replaced by the function's. */
    private static final String FIXTURE_ACCOUNT = "123456789012";

    private static final String FIXTURE_REPOSITORY = "wordpress";

    /** A repository this function sees events for: the release's, else the first managed one. */
    public static String repository(Settings settings) {
        return settings.get(Setting.RELEASE_REPOSITORY.name())
                .or(
                        () ->
                                settings.get(Setting.MANAGED_REPOSITORIES.name()).stream()
                                        .flatMap(s -> Arrays.stream(s.split(",")))
                                        .map(String::strip)
                                        .filter(s -> !s.isEmpty())
                                        .findFirst())
                .orElse("qm-priming");
    }

    /** The push of {@code tag} of a digest nothing has to {@code repository}. */
    public static String push(EventOrigin origin, String repository, String tag) {
        return of("image-action-push.json", origin, repository)
                .replace("\"image-tag\": \"wp-6.4-v1\"", "\"image-tag\": \"" + tag + "\"");
    }

    /**
     * {@code fixture} (one of {@link #FIXTURES}) with {@code origin}'s account and region, {@code
     * repository}, a priming id and {@link Priming#NO_DIGEST} for every digest.
     */
    public static String of(String fixture, EventOrigin origin, String repository) {
        String text = fixture(fixture);
        String region = regionOf(text);
        if (origin.account() != null) {
            text = text.replace(FIXTURE_ACCOUNT, origin.account());
        }
        if (origin.region() != null) {
            text = text.replace(region, origin.region());
        }
        return text.replaceAll("sha256:[0-9a-f]{64}", Priming.NO_DIGEST)
                .replaceFirst("\"id\": \"[^\"]+\"", "\"id\": \"qm-priming\"")
                .replace("/" + FIXTURE_REPOSITORY + "\"", "/" + repository + "\"")
                .replace("\"" + FIXTURE_REPOSITORY + "\"", "\"" + repository + "\"");
    }

    /** The fixture's envelope region. */
    private static String regionOf(String text) {
        Matcher m = java.util.regex.Pattern.compile("\"region\": \"([a-z0-9-]+)\"").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("a priming fixture without a region");
        }
        return m.group(1);
    }

    /** The jar's copy of {@code events/<name>}. */
    public static String fixture(String name) {
        if (!FIXTURES.contains(name)) {
            throw new IllegalArgumentException("no priming fixture " + name);
        }
        try (InputStream in =
                PrimingEvents.class.getResourceAsStream("/dev/quartermaster/priming/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar carries no priming fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
