package dev.quartermaster.signature;

import java.time.Instant;

/**
 * The signature gate's word on a digest: SIGNED (by {@code identity}, at {@code signedAt}),
 * UNSIGNED (no signature found), INVALID (a signature that does not verify, or one by an identity
 * not trusted; {@code reason} says which), PENDING (the registry is still signing), FAILED (the
 * registry's signing failed; {@code reason} is its own).
 */
public record SignatureVerdict(
        State state, String identity, String reason, Instant signedAt, Instant checkedAt) {
    public enum State {
        SIGNED,
        UNSIGNED,
        INVALID,
        PENDING,
        FAILED
    }

    public static SignatureVerdict of(State state, String reason, Instant now) {
        return new SignatureVerdict(state, null, reason, null, now);
    }

    public boolean signed() {
        return state == State.SIGNED;
    }

    @Override
    public String toString() {
        return state
                + (identity == null ? "" : " by " + identity)
                + (reason == null ? "" : " (" + reason + ")");
    }
}
