package dev.quartermaster.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copy jobs (one blob each) on at most {@code width} threads of their own: the caller blocks in
 * {@link #submit} while they are all busy, so no more than {@code width} blobs are ever open at
 * once. The first failure stops the jobs not yet started and is what {@link #await} throws; {@link
 * #close} returns only when no job runs any more, so nothing is still writing once a run has
 * reported its outcome. A width of 1 runs each job in the caller's thread (no thread is made).
 */
final class ParallelJobs implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final ExecutorService pool;
    private final Semaphore slots;
    private final List<Future<?>> jobs = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    ParallelJobs(int width, String name) {
        if (width < 1) {
            throw new IllegalArgumentException("at least one job at a time, not " + width);
        }
        this.slots = new Semaphore(width);
        if (width == 1) {
            this.pool = null;
        } else {
            String prefix = "qm-" + name + "-" + POOLS.incrementAndGet() + "-";
            AtomicInteger n = new AtomicInteger();
            this.pool =
                    Executors.newFixedThreadPool(
                            width,
                            r -> {
                                Thread t = new Thread(r, prefix + n.incrementAndGet());
                                t.setDaemon(true);
                                return t;
                            });
        }
    }

    /**
     * Runs {@code job} as soon as a thread is free (waiting for one); throws at once if an earlier
     * job failed.
     */
    void submit(Runnable job) {
        throwIfFailed();
        if (pool == null) {
            job.run();
            return;
        }
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveException("interrupted while waiting for a copy to finish", e);
        }
        if (failure.get() != null) {
            slots.release();
            throwIfFailed();
        }
        jobs.add(
                pool.submit(
                        () -> {
                            try {
                                if (failure.get() == null) {
                                    job.run();
                                }
                            } catch (RuntimeException e) {
                                failure.compareAndSet(null, e);
                            } catch (Error e) {
                                failure.compareAndSet(
                                        null, new ArchiveException("a copy failed: " + e, e));
                            } finally {
                                slots.release();
                            }
                        }));
    }

    /** Waits for every job submitted so far; throws the first failure (as thrown by its job). */
    void await() {
        for (Future<?> f : jobs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ArchiveException("interrupted while waiting for the copies to finish", e);
            } catch (ExecutionException e) {
                failure.compareAndSet(
                        null, new ArchiveException("a copy failed: " + e.getCause(), e.getCause()));
            }
        }
        jobs.clear();
        throwIfFailed();
    }

    private void throwIfFailed() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /**
     * Stops what has not started and waits for what runs (each job's reads and writes are bounded
     * by deadlines and timeouts).
     */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        failure.compareAndSet(null, new ArchiveException("the run ended before this copy started"));
        pool.shutdown();
        try {
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // a job reading a trickling blob ends at the run's deadline (DeadlineInputStream)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
