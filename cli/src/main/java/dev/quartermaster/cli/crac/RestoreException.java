package dev.quartermaster.cli.crac;

/** A restore hook failed. */
public class RestoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
