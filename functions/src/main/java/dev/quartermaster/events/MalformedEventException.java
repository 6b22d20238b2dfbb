package dev.quartermaster.events;

/**
 * The input can never be processed, however often it is retried: log it, count it, do not retry.
 */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String reason) {
        super(reason);
    }

    public MalformedEventException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
