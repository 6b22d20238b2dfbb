package dev.quartermaster.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The Authorization header to send to the registry (never to a redirect target). */
@FunctionalInterface
public interface RegistryAuth {
    Optional<String> header();

    static RegistryAuth anonymous() {
        return Optional::empty;
    }

    static RegistryAuth basic(String user, String password) {
        String value =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return () -> Optional.of(value);
    }
}
