package dev.quartermaster.testutils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes tar headers by hand, including the ones no well-behaved archiver writes (a GNU long name
 * claiming gigabytes, entries whose declared size is not followed by content): the raw material of
 * hostile layers.
 */
public final class RawTar {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public RawTar file(String name, byte[] content) {
        header(name, '0', content.length, null);
        write(content);
        pad(content.length);
        return this;
    }

    public RawTar symlink(String name, String target) {
        header(name, '2', 0, target);
        return this;
    }

    public RawTar directory(String name) {
        header(name, '5', 0, null);
        return this;
    }

    /**
     * A header of {@code type} declaring {@code size} content bytes, with none written after it.
     */
    public RawTar headerOnly(String name, char type, long size) {
        header(name, type, size, null);
        return this;
    }

    public byte[] end() {
        write(new byte[1024]);
        return out.toByteArray();
    }

    /**
     * Streams a header for one file of {@code size} zero bytes, then the zeros and the end blocks.
     */
    public static void zeroFile(OutputStream target, String name, long size) throws IOException {
        RawTar t = new RawTar();
        t.header(name, '0', size, null);
        target.write(t.out.toByteArray());
        byte[] zeros = new byte[1 << 20];
        for (long left = size; left > 0; left -= zeros.length) {
            target.write(zeros, 0, (int) Math.min(zeros.length, left));
        }
        long rest = size % 512;
        target.write(new byte[(int) (rest == 0 ? 0 : 512 - rest) + 1024]);
    }

    private void header(String name, char type, long size, String link) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, "0000644");
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        if (size < 077777777777L) {
            put(h, 124, 12, String.format("%011o", size));
        } else {
            h[124] = (byte) 0x80; // base-256 for sizes beyond 8 GiB
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        put(h, 136, 12, "00000000000");
        h[156] = (byte) type;
        if (link != null) {
            put(h, 157, 100, link);
        }
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, 8, String.format("%06o", sum) + "\0 ");
        write(h);
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private void pad(long size) {
        long rest = size % 512;
        if (rest != 0) {
            write(new byte[(int) (512 - rest)]);
        }
    }

    private void write(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
