package dev.quartermaster.testutils;

import dev.quartermaster.testkit.LocalRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** One filesystem registry per test JVM, stopped at exit. */
public final class LocalRegistries {
    private static LocalRegistry registry;

    private LocalRegistries() {
    }

    public static synchronized LocalRegistry shared() {
        if (registry == null) {
            try {
                registry = LocalRegistry.filesystem(Files.createTempDirectory("qm-registry"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        }
        return registry;
    }
}
