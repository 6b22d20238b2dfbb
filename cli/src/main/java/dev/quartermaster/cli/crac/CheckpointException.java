package dev.quartermaster.cli.crac;

/** A checkpoint hook failed (what publishing a SnapStart version would report). */
public class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
