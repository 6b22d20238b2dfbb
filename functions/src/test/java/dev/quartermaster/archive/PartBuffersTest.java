package dev.quartermaster.archive;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The part buffers bound what blob copies hold in memory: no more buffers than the count, ever,
 * reused once given back.
 */
class PartBuffersTest {
    private static final Instant LATER = Instant.now().plusSeconds(600);

    @Test
    void aTakerWaits_whileEveryBufferIsInUse_andGetsTheOneGivenBack() throws Exception {
        PartBuffers buffers = new PartBuffers(2, 16);
        byte[] a = buffers.take(LATER);
        byte[] b = buffers.take(LATER);
        assertThat(a).isNotSameAs(b).hasSize(16);
        AtomicBoolean got = new AtomicBoolean();
        byte[][] third = new byte[1][];
        CountDownLatch done = new CountDownLatch(1);
        Thread t =
                new Thread(
                        () -> {
                            third[0] = buffers.take(LATER);
                            got.set(true);
                            done.countDown();
                        });
        t.start();
        assertThat(done.await(200, TimeUnit.MILLISECONDS))
                .as("a third buffer while two are out")
                .isFalse();
        assertThat(got).isFalse();
        buffers.give(a);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(third[0]).isSameAs(a);
        assertThat(buffers.boundBytes()).isEqualTo(32);
    }

    @Test
    void aBufferGivenBackTwice_isRefused() {
        PartBuffers buffers = new PartBuffers(1, 8);
        byte[] a = buffers.take(LATER);
        buffers.give(a);
        assertThatThrownBy(() -> buffers.give(a)).hasMessageContaining("twice");
    }

    @Test
    void take_whenEveryBufferIsHeldPastTheDeadline_endsWithATimeoutError_notAHang() {
        PartBuffers buffers = new PartBuffers(2, 16);
        buffers.take(LATER);
        buffers.take(LATER);

        assertThatThrownBy(() -> buffers.take(Instant.now().plusMillis(200)))
                .isInstanceOf(ArchiveException.class)
                .hasMessageContaining("out of time waiting for a part buffer")
                .hasMessageContaining("all 2");
    }

    @Test
    void take_withADeadlineAlreadyPast_stillHandsOutAFreeBuffer_andRefusesOnlyWhenItWouldWait() {
        PartBuffers buffers = new PartBuffers(1, 16);
        Instant past = Instant.now().minusSeconds(1);
        byte[] a = buffers.take(past);
        assertThat(a).hasSize(16);
        assertThat(buffers.available()).isZero();
        assertThatThrownBy(() -> buffers.take(past)).isInstanceOf(ArchiveException.class);
        buffers.give(a);
        assertThat(buffers.take(past)).isSameAs(a);
    }
}
