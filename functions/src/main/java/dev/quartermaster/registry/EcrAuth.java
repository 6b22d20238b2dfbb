package dev.quartermaster.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * ECR's registry API takes Basic auth with a token from GetAuthorizationToken (valid 12 hours). The
 * token is cached and renewed five minutes before it expires.
 */
public final class EcrAuth implements RegistryAuth {
    /** A base64 "AWS:password" token and when it expires. */
    public record Token(String base64, Instant expiresAt) {}

    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private final Supplier<Token> source;
    private final Clock clock;
    private Token cached;

    public EcrAuth(Supplier<Token> source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<String> header() {
        if (dev.quartermaster.common.Priming.inProgress()) {
            return Optional.empty(); // a SnapStart snapshot never holds a token
        }
        if (cached == null || clock.instant().isAfter(cached.expiresAt().minus(RENEW_BEFORE))) {
            cached = source.get();
        }
        return Optional.of("Basic " + cached.base64());
    }
}
