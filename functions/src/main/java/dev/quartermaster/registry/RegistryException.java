package dev.quartermaster.registry;

/** The registry answered in a way that will not change on retry (404, 401, bad digest, unknown media type). */
public class RegistryException extends RuntimeException {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
