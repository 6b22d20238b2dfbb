package dev.quartermaster.host;

import dev.quartermaster.contract.Host;

import java.util.Map;
import java.util.Optional;

/**
 * Runs one of the project's SSM documents on one host, the one managed instance that carries its
 * tag (SSM Run Command in AWS).
 */
public interface CommandRunner {
    /**
     * @return the command id
     * @throws TargetException when the tag does not name exactly one managed instance
     */
    String send(String document, Map<String, String> parameters, Host host, String comment);

    /**
     * What the command printed on its standard output (SSM keeps the first 24,000 characters), if
     * known.
     */
    Optional<String> output(String commandId);

    /**
     * The command's status as SSM names it (Pending, InProgress, Success, Failed, ...), if known;
     * empty where commands finish as they are sent (the local agent) or the runner cannot tell.
     */
    default Optional<String> status(String commandId) {
        return Optional.empty();
    }

    /** No command was sent: zero or several instances carry the tag. */
    class TargetException extends RuntimeException {
        public TargetException(String message) {
            super(message);
        }
    }
}
