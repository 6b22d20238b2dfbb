package dev.quartermaster.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 digests in OCI form ({@code sha256:<hex>}), and a stream that checks one at EOF. */
public final class Digests {
    private Digests() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /**
     * Passes bytes through while hashing them; at end of stream throws {@link
     * DigestMismatchException} if they do not hash to {@code expected}. Counts bytes read.
     */
    public static final class VerifyingInputStream extends CountingDigestStream {
        private final String expected;
        private boolean verified;

        public VerifyingInputStream(InputStream in, String expected) {
            super(in);
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                verify();
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n < 0) {
                verify();
            }
            return n;
        }

        private void verify() throws DigestMismatchException {
            if (!verified) {
                String actual = "sha256:" + hex();
                verified = true;
                if (!actual.equals(expected)) {
                    throw new DigestMismatchException(expected, actual, count());
                }
            }
        }

        /** Reads what is left and checks the digest: call before trusting anything read. */
        public void drainAndVerify() throws IOException {
            byte[] buf = new byte[64 * 1024];
            while (read(buf, 0, buf.length) >= 0) {
                // hashing only
            }
            verify();
        }
    }

    /**
     * Passes bytes through while hashing them (sha256), skipped ones included; {@link #hex()} once
     * the stream is read.
     */
    public static class CountingDigestStream extends FilterInputStream {
        private final MessageDigest md = sha256();
        private long count;

        public CountingDigestStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                md.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                md.update(buf, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        public long count() {
            return count;
        }

        /** The sha256 of every byte read so far, in lowercase hex. */
        public String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }
}
