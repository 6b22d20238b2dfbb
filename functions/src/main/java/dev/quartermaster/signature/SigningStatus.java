package dev.quartermaster.signature;

import java.util.Optional;

/** The registry's own signing of a push (ECR managed signing: DescribeImageSigningStatus). */
public interface SigningStatus {
    enum State {
        IN_PROGRESS,
        COMPLETE,
        FAILED
    }

    record Status(State state, String profileArn, String reason) {}

    /** Empty when the registry does not sign this image (no signing configuration matches it). */
    Optional<Status> status(String repository, String digest);

    /** A registry that does not sign. */
    static SigningStatus none() {
        return (r, d) -> Optional.empty();
    }
}
