package dev.quartermaster.verify;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What one verification may spend: decompressed bytes per layer and per image, tar header sizes,
 * layers and platforms per image, and a deadline (taken from the Lambda's remaining time). Image
 * contents are untrusted: a decompression bomb or a header claiming gigabytes stops at the cap with
 * a reason, which the verifier records as UNVERIFIABLE.
 */
public final class VerifyBudget {
    /** The limits; {@link #defaults()} fits a 1 GB Lambda with room to spare. */
    public record Limits(
            long maxLayerBytes,
            long maxImageBytes,
            int maxHeaderBytes,
            int maxLayers,
            int maxPlatforms) {
        public static Limits defaults() {
            return new Limits(1L << 30, 4L << 30, 1 << 20, 128, 16);
        }
    }

    /** The image (or the time) is beyond what the verifier reads. */
    public static final class ExceededException extends IOException {
        public ExceededException(String message) {
            super(message);
        }
    }

    private final Limits limits;
    private final Instant deadline;
    private final Clock clock;
    private long imageBytes;

    public VerifyBudget(Limits limits, Instant deadline, Clock clock) {
        this.limits = limits;
        this.deadline = deadline;
        this.clock = clock;
    }

    /** The default limits and a deadline {@code time} from now. */
    public static VerifyBudget of(Duration time) {
        Clock clock = Clock.systemUTC();
        return new VerifyBudget(Limits.defaults(), clock.instant().plus(time), clock);
    }

    public Limits limits() {
        return limits;
    }

    public Instant deadline() {
        return deadline;
    }

    void checkTime(String what) throws ExceededException {
        if (clock.instant().isAfter(deadline)) {
            throw new ExceededException(
                    "ran out of time (deadline " + deadline + ") while reading " + what);
        }
    }

    /**
     * Counts what a layer decompresses to against the per-layer and per-image caps, and checks the
     * deadline.
     */
    InputStream decompressed(InputStream in, String where) {
        return new Checked(in, where) {
            private long layer;

            @Override
            void counted(int n) throws ExceededException {
                layer += n;
                imageBytes += n;
                if (layer > limits.maxLayerBytes()) {
                    throw new ExceededException(
                            where
                                    + " decompresses to more than "
                                    + limits.maxLayerBytes()
                                    + " bytes (the per-layer limit)");
                }
                if (imageBytes > limits.maxImageBytes()) {
                    throw new ExceededException(
                            "the image decompresses to more than "
                                    + limits.maxImageBytes()
                                    + " bytes (the per-image limit)");
                }
            }
        };
    }

    /**
     * A raw (compressed) layer: never more bytes than its descriptor declares, never past the
     * deadline.
     */
    InputStream raw(InputStream in, long declared, String where) {
        return new Checked(in, where) {
            private long count;

            @Override
            void counted(int n) throws ExceededException {
                count += n;
                if (count > declared) {
                    throw new ExceededException(
                            where
                                    + " sends more than the "
                                    + declared
                                    + " bytes its descriptor declares");
                }
            }
        };
    }

    /**
     * A stream that checks the deadline before each read and hands each chunk read to {@link
     * #counted}.
     */
    private abstract class Checked extends FilterInputStream {
        private final String where;

        Checked(InputStream in, String where) {
            super(in);
            this.where = where;
        }

        abstract void counted(int n) throws ExceededException;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkTime(where);
            int n = super.read(b, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }
    }
}
