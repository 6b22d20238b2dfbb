package dev.quartermaster.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;

/**
 * Bytes that stop coming at a deadline: a server that sends a byte now and then keeps every socket
 * read alive, so only a check at each read bounds a body's (or a blob's) total time. Past the
 * deadline a read fails with {@code message}; the caller aborts what it was writing.
 */
public final class DeadlineInputStream extends FilterInputStream {
    private final BooleanSupplier expired;
    private final String message;

    public DeadlineInputStream(InputStream in, BooleanSupplier expired, String message) {
        super(in);
        this.expired = expired;
        this.message = message;
    }

    private void check() throws IOException {
        if (expired.getAsBoolean()) {
            throw new IOException(message);
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
