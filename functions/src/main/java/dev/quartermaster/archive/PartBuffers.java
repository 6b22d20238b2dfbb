package dev.quartermaster.archive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of equal byte buffers, made on first use and reused: whoever needs one waits until
 * one is free, so the bytes blob copies hold in memory never exceed {@code count x size}, and a
 * SnapStart snapshot (taken before any copy) holds none of them. A wait ends at the caller's
 * deadline: a buffer that never comes back (a bug, an upload stuck in the SDK) stops a run with a
 * message, never hangs it.
 */
final class PartBuffers {
    private final BlockingQueue<byte[]> free;
    private final int count;
    private final int size;
    private final Clock clock;
    private int made;

    PartBuffers(int count, int size) {
        this(count, size, Clock.systemUTC());
    }

    PartBuffers(int count, int size, Clock clock) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one part buffer, not " + count);
        }
        this.free = new ArrayBlockingQueue<>(count);
        this.count = count;
        this.size = size;
        this.clock = clock;
    }

    /**
     * A free buffer, waiting for one if they are all in use, but not past {@code deadline}.
     *
     * @throws ArchiveException when the deadline passes with every buffer still in use
     */
    byte[] take(Instant deadline) {
        byte[] b = free.poll();
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (made < count) {
                made++;
                return new byte[size];
            }
        }
        try {
            b = free.poll(nanosUntil(deadline), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while waiting for a part buffer", e);
        }
        if (b == null) {
            throw new ArchiveException(
                    "out of time waiting for a part buffer: all "
                            + count
                            + " ("
                            + size / (1024 * 1024)
                            + " MiB each) were still in use at the run's deadline "
                            + deadline
                            + " (uploads in flight or stuck);"
                            + " what is stored stays and the next run goes on");
        }
        return b;
    }

    private long nanosUntil(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative()) {
            return 0;
        }
        return left.compareTo(Duration.ofDays(365)) > 0
                ? TimeUnit.DAYS.toNanos(365)
                : left.toNanos();
    }

    void give(byte[] buffer) {
        if (!free.offer(buffer)) {
            throw new IllegalStateException("a part buffer was given back twice");
        }
    }

    /** Buffers free right now (made and given back, or not made yet). */
    int available() {
        synchronized (this) {
            return free.size() + (count - made);
        }
    }

    /** The most bytes the buffers can ever hold. */
    long boundBytes() {
        return (long) count * size;
    }
}
