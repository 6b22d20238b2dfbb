package dev.quartermaster.archive;

/** The archive could not store, read or check something; the message says what and why. */
public class ArchiveException extends RuntimeException {
    public ArchiveException(String message) {
        super(message);
    }

    public ArchiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
