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

/** The mark sweep reports an image the registry deleted in the untag race, and put back, as kept with its mark. */
class ReleaseProtectionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");
    private static final String DIGEST = "sha256:" + "c".repeat(64);

    @Test
    void sweep_whenTheUntagRaceDeletedTheImageAndItWasPutBack_saysSo_andDoesNotCountItReleased() {
        ImageTags racing = new ImageTags() {
            @Override
            public void add(String repository, String digest, String tag) {
            }

            @Override
            public Removal remove(String repository, String digest, String tag) {
                return Removal.RESTORED;
            }

            @Override
            public Map<String, Set<String>> tagged(String repository, String prefix) {
                return Map.of(DIGEST, Set.of(ReleaseProtection.tagFor(DIGEST)));
            }
        };
        ReleaseProtection protection = new ReleaseProtection(racing, Duration.ofDays(7), Clock.fixed(NOW, ZoneOffset.UTC));

        ReleaseProtection.Sweep s = protection.sweep("wordpress", Map.of(DIGEST, NOW.minus(Duration.ofDays(30))));

        assertThat(s.released()).isEmpty();
        assertThat(s.stays()).containsKey(DIGEST);
        assertThat(s.stays().get(DIGEST)).contains("put back at once");
    }
}
