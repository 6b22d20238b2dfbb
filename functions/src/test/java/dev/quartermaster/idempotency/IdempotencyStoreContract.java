package dev.quartermaster.idempotency;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link IdempotencyStore} does: the in-memory twin and the DynamoDB store both pass it.
 */
abstract class IdempotencyStoreContract {
    protected abstract IdempotencyStore store();

    private final String key = "work#" + UUID.randomUUID();

    @Test
    void begin_whenNew_acquiresWithNoFailures() {
        IdempotencyStore.Claim c = store().begin(key, Duration.ofMinutes(1));

        assertThat(c.state()).isEqualTo(IdempotencyStore.State.ACQUIRED);
        assertThat(c.failures()).isZero();
    }

    @Test
    void begin_whileHeld_isInProgress() {
        store().begin(key, Duration.ofMinutes(1));

        assertThat(store().begin(key, Duration.ofMinutes(1)).state())
                .isEqualTo(IdempotencyStore.State.IN_PROGRESS);
    }

    @Test
    void begin_afterComplete_isCompletedWithTheResult() {
        store().begin(key, Duration.ofMinutes(1));
        store().complete(key, "VERIFIED");

        IdempotencyStore.Claim again = store().begin(key, Duration.ofMinutes(1));

        assertThat(again.state()).isEqualTo(IdempotencyStore.State.COMPLETED);
        assertThat(again.result()).isEqualTo("VERIFIED");
    }

    @Test
    void begin_afterRelease_acquiresAgainAndCountsTheFailure() {
        store().begin(key, Duration.ofMinutes(1));
        store().release(key);
        IdempotencyStore.Claim second = store().begin(key, Duration.ofMinutes(1));
        store().release(key);
        IdempotencyStore.Claim third = store().begin(key, Duration.ofMinutes(1));

        assertThat(second.state()).isEqualTo(IdempotencyStore.State.ACQUIRED);
        assertThat(second.failures()).isEqualTo(1);
        assertThat(third.failures()).isEqualTo(2);
    }

    @Test
    void begin_whenTheHolderDiedAndItsLockExpired_acquires() throws InterruptedException {
        store().begin(key, Duration.ofSeconds(-5)); // a lock already expired: its holder is gone

        assertThat(store().begin(key, Duration.ofMinutes(1)).state())
                .isEqualTo(IdempotencyStore.State.ACQUIRED);
    }

    @Test
    void begin_whenSixteenDeliveriesRace_exactlyOneAcquires() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<IdempotencyStore.Claim>> claims = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            claims.add(pool.submit(() -> store().begin(key, Duration.ofMinutes(1))));
        }
        int acquired = 0;
        for (Future<IdempotencyStore.Claim> f : claims) {
            acquired += f.get().state() == IdempotencyStore.State.ACQUIRED ? 1 : 0;
        }
        pool.shutdown();

        assertThat(acquired).isEqualTo(1);
    }
}
