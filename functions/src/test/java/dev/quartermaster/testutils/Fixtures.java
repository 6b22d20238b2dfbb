package dev.quartermaster.testutils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The sample events of the top-level events/ folder (copied to the test classpath by the build).
 */
public final class Fixtures {
    private Fixtures() {}

    public static byte[] event(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample event events/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(event(name), java.nio.charset.StandardCharsets.UTF_8);
    }
}
