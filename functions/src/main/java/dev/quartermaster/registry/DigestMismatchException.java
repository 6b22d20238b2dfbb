package dev.quartermaster.registry;

import java.io.IOException;

/**
 * The bytes received do not hash to the digest that was asked for: corrupted or tampered content.
 */
public class DigestMismatchException extends IOException {
    public DigestMismatchException(String expected, String actual, long bytes) {
        super(
                "content digest mismatch: asked for "
                        + expected
                        + " but the "
                        + bytes
                        + " bytes received hash to "
                        + actual);
    }
}
