package dev.quartermaster.verify;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal, bounded reader of tar streams (ustar, GNU long names, PAX extended headers) for image
 * layers, which are untrusted input. Unlike a general-purpose archiver it never buffers a header
 * larger than {@code maxHeaderBytes}: a GNU long-name or PAX record that claims gigabytes is
 * refused before a byte of it is read into memory.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One entry: its name as written (not yet cleaned), its type flag, and its size. */
    record Entry(String name, char type, long size) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isDirectory() {
            return type == '5';
        }
    }

    private final InputStream in;
    private final int maxHeaderBytes;
    private final byte[] block = new byte[BLOCK];
    private long remaining; // bytes of the current entry's content not yet consumed
    private long padding; // zero padding after the current entry's content

    TarReader(InputStream in, int maxHeaderBytes) {
        this.in = in;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /**
     * @return the next entry, or null at the end of the archive
     */
    Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String paxPath = null;
        while (true) {
            if (!readBlock()) {
                return null; // a stream that ends without the two zero blocks: treat as the end
            }
            if (isZero(block)) {
                return null;
            }
            checkChecksum();
            char type = (char) (block[156] & 0xff);
            long size = size();
            String name = ustarName();
            switch (type) {
                case 'L' -> longName = trimNul(readHeaderPayload(size, "GNU long name"));
                case 'K' -> readHeaderPayload(size, "GNU long link name");
                case 'x' -> {
                    String p = paxPath(readHeaderPayload(size, "PAX extended header"));
                    if (p != null) {
                        paxPath = p;
                    }
                }
                case 'g' -> readHeaderPayload(size, "PAX global header");
                default -> {
                    // hard and symbolic links carry no content whatever their size field says
                    remaining = type == '1' || type == '2' ? 0 : size;
                    long rest = remaining % BLOCK;
                    padding = rest == 0 ? 0 : BLOCK - rest;
                    String chosen = paxPath != null ? paxPath : longName != null ? longName : name;
                    return new Entry(chosen, type, remaining);
                }
            }
        }
    }

    /** Reads at most {@code max} bytes of the current entry's content. */
    byte[] readContent(int max) throws IOException {
        int n = (int) Math.min(max, remaining);
        byte[] out = in.readNBytes(n);
        if (out.length < n) {
            throw new EOFException("layer ends inside an entry");
        }
        remaining -= n;
        return out;
    }

    private byte[] readHeaderPayload(long size, String what) throws IOException {
        if (size < 0 || size > maxHeaderBytes) {
            throw new TarLimitException(
                    what
                            + " claims "
                            + size
                            + " bytes, more than the "
                            + maxHeaderBytes
                            + "-byte limit");
        }
        byte[] payload = in.readNBytes((int) size);
        if (payload.length < size) {
            throw new EOFException("layer ends inside a " + what);
        }
        long rest = size % BLOCK;
        skip(rest == 0 ? 0 : BLOCK - rest);
        return payload;
    }

    private static String paxPath(byte[] records) throws IOException {
        // records: "<len> <key>=<value>\n", len counting the whole record
        String path = null;
        int pos = 0;
        while (pos < records.length) {
            int space = pos;
            while (space < records.length && records[space] != ' ') {
                space++;
            }
            int len;
            try {
                len =
                        Integer.parseInt(
                                new String(records, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("malformed PAX record length");
            }
            if (len <= space - pos || pos + len > records.length) {
                throw new IOException("malformed PAX record");
            }
            String kv =
                    new String(records, space + 1, len - (space - pos) - 2, StandardCharsets.UTF_8);
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals("path")) {
                path = kv.substring(eq + 1);
            }
            pos += len;
        }
        return path;
    }

    private boolean readBlock() throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new EOFException("layer ends inside a tar header");
        }
        return true;
    }

    private void checkChecksum() throws IOException {
        long stored = octal(148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (block[i] & 0xff);
        }
        if (stored != sum) {
            throw new IOException("tar header checksum mismatch: not a tar layer or corrupt");
        }
    }

    private long size() throws IOException {
        if ((block[124] & 0x80) != 0) {
            // base-256: big-endian two's complement in the remaining 11 bytes
            long v = 0;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new TarLimitException("tar entry size overflows");
                }
                v = (v << 8) | (block[i] & 0xff);
            }
            return v;
        }
        return octal(124, 12);
    }

    private long octal(int off, int len) throws IOException {
        long v = 0;
        int end = off + len;
        int i = off;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        for (; i < end && block[i] != 0 && block[i] != ' '; i++) {
            int d = block[i] - '0';
            if (d < 0 || d > 7) {
                throw new IOException("malformed octal number in a tar header");
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private String ustarName() {
        String name = cstring(0, 100);
        boolean ustar =
                block[257] == 'u'
                        && block[258] == 's'
                        && block[259] == 't'
                        && block[260] == 'a'
                        && block[261] == 'r';
        if (ustar) {
            String prefix = cstring(345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private String cstring(int off, int len) {
        int end = off;
        while (end < off + len && block[end] != 0) {
            end++;
        }
        return new String(block, off, end - off, StandardCharsets.UTF_8);
    }

    private static String trimNul(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("layer ends inside an entry");
                }
                s = 1;
            }
            n -= s;
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** A header or entry beyond what the verifier accepts. */
    static final class TarLimitException extends IOException {
        TarLimitException(String message) {
            super(message);
        }
    }
}
