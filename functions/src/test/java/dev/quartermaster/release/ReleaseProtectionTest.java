package dev.quartermaster.release;

import dev.quartermaster.registry.ImageTags;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mark sweep reports an image the registry deleted in the untag race as failed, with how to put
 * it back, never as released.
 */
class ReleaseProtectionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    private static final String DIGEST = "sha256:" + "c".repeat(64);

    @Test
    void
            sweep_whenTheUntagRaceDeletedTheImage_recordsItFailed_withTheRestore_andDoesNotCountItReleased() {
        ImageTags racing =
                new ImageTags() {
                    @Override
                    public void add(String repository, String digest, String tag) {}

                    @Override
                    public Removal remove(String repository, String digest, String tag) {
                        throw new dev.quartermaster.registry.RegistryException(
                                "ECR deleted it: its other tags went while its mark came off. Put it back:"
                                        + " bin/qm archive restore "
                                        + repository
                                        + "@"
                                        + digest
                                        + " --to <this registry>, then release it again (which marks it)");
                    }

                    @Override
                    public Map<String, Set<String>> tagged(String repository, String prefix) {
                        return Map.of(DIGEST, Set.of(ReleaseProtection.tagFor(DIGEST)));
                    }
                };
        ReleaseProtection protection =
                new ReleaseProtection(racing, Duration.ofDays(7), Clock.fixed(NOW, ZoneOffset.UTC));

        ReleaseProtection.Sweep s =
                protection.sweep("wordpress", Map.of(DIGEST, NOW.minus(Duration.ofDays(30))));

        assertThat(s.released()).isEmpty();
        assertThat(s.failed()).containsKey(DIGEST);
        assertThat(s.failed().get(DIGEST))
                .contains("ECR deleted it", "bin/qm archive restore wordpress@" + DIGEST);
    }
}
