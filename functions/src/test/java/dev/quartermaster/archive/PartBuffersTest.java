package dev.quartermaster.archive;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The part buffers bound what blob copies hold in memory: no more buffers than the count, ever, reused once given back. */
class PartBuffersTest {

    @Test
    void aTakerWaits_whileEveryBufferIsInUse_andGetsTheOneGivenBack() throws Exception {
        PartBuffers buffers = new PartBuffers(2, 16);
        byte[] a = buffers.take();
        byte[] b = buffers.take();
        assertThat(a).isNotSameAs(b).hasSize(16);
        AtomicBoolean got = new AtomicBoolean();
        byte[][] third = new byte[1][];
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            third[0] = buffers.take();
            got.set(true);
            done.countDown();
        });
        t.start();
        assertThat(done.await(200, TimeUnit.MILLISECONDS)).as("a third buffer while two are out").isFalse();
        assertThat(got).isFalse();
        buffers.give(a);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(third[0]).isSameAs(a);
        assertThat(buffers.boundBytes()).isEqualTo(32);
    }

    @Test
    void aBufferGivenBackTwice_isRefused() {
        PartBuffers buffers = new PartBuffers(1, 8);
        byte[] a = buffers.take();
        buffers.give(a);
        assertThatThrownBy(() -> buffers.give(a)).hasMessageContaining("twice");
    }
}
