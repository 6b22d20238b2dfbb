package dev.quartermaster.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;

/**
 * A blob's bytes that stop coming at the run's deadline: a registry that sends a byte now and then keeps every
 * socket read alive, so only a check at each read bounds a blob in flight. Past the deadline a read fails, the
 * upload is aborted (nothing half-written stays) and the run records its outcome before Lambda's own limit.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final Instant deadline;
    private final Clock clock;
    private final String what;

    DeadlineInputStream(InputStream in, Instant deadline, Clock clock, String what) {
        super(in);
        this.deadline = deadline;
        this.clock = clock;
        this.what = what;
    }

    private void check() throws IOException {
        if (clock.instant().isAfter(deadline)) {
            throw new IOException("out of time while reading " + what + " (the run's deadline passed mid-blob)");
        }
    }

    @Override
    public int read() throws IOException {
        check();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        return super.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        check();
        return super.skip(n);
    }
}
