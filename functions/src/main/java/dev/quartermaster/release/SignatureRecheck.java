package dev.quartermaster.release;

import dev.quartermaster.signature.SignatureVerdict;

import java.time.Duration;

/**
 * The release gate's fresh word on a digest's signature: every check again (the chain and its
 * expiry at the time of the release, the revocation list, the trusted identities), within {@code
 * wait}. {@code SignatureService::check} in AWS and locally; a test passes its own.
 */
@FunctionalInterface
public interface SignatureRecheck {
    SignatureVerdict check(String repository, String digest, Duration wait);
}
