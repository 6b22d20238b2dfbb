package dev.quartermaster.registry;

/**
 * The registry could not give what was asked. Permanent (404, 401, bad digest, unknown media type)
 * unless {@link #isTransient()}: it kept failing with 5xx/429/connection errors after every retry.
 */
public class RegistryException extends RuntimeException {
    private final boolean transientFailure;

    public RegistryException(String message) {
        this(message, null, false);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public RegistryException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** Worth retrying later (the whole event, by Lambda), not a property of the image. */
    public boolean isTransient() {
        return transientFailure;
    }
}
