package dev.quartermaster.common;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wait for the JIT before the snapshot is bounded: a compiler that never goes quiet (a busy
 * machine, a JVM whose compile time never settles) delays the snapshot by at most its limit, never
 * fails or hangs the hook.
 */
class PrimingSettleTest {
    @Test
    void settle_endsWithinItsLimit_evenWhileTheJitIsBusy() throws Exception {
        // keep the compiler busy meanwhile: fresh lambdas and a hot loop
        Thread busy =
                new Thread(
                        () -> {
                            long sum = 0;
                            for (int i = 0; i < 50_000_000 && !Thread.interrupted(); i++) {
                                sum += Integer.toString(i).hashCode();
                            }
                            assertThat(sum).isNotZero();
                        });
        busy.start();
        try {
            Duration waited = Priming.settle();
            assertThat(waited).isLessThanOrEqualTo(Priming.SETTLE_LIMIT.plusMillis(500));
            assertThat(waited).isPositive();
        } finally {
            busy.interrupt();
            busy.join();
        }
    }
}
