package dev.quartermaster.archive;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed number of equal byte buffers, made on first use and reused: whoever needs one waits until
 * one is free, so the bytes blob copies hold in memory never exceed {@code count x size}, and a
 * SnapStart snapshot (taken before any copy) holds none of them.
 */
final class PartBuffers {
    private final BlockingQueue<byte[]> free;
    private final int count;
    private final int size;
    private int made;

    PartBuffers(int count, int size) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one part buffer, not " + count);
        }
        this.free = new ArrayBlockingQueue<>(count);
        this.count = count;
        this.size = size;
    }

    /** A free buffer, waiting for one if they are all in use. */
    byte[] take() {
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
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while waiting for a part buffer", e);
        }
    }

    void give(byte[] buffer) {
        if (!free.offer(buffer)) {
            throw new IllegalStateException("a part buffer was given back twice");
        }
    }

    /** The most bytes the buffers can ever hold. */
    long boundBytes() {
        return (long) count * size;
    }
}
