package dev.quartermaster.verify;

import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.MediaTypes;
import io.airlift.compress.zstd.ZstdInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Looks for one path in one layer (a tar stream): the file itself, or a whiteout that deletes it
 * ({@code .wh.<name>} for the file or any parent directory, {@code .wh..wh..opq} in a parent).
 */
final class LayerSearch {
    static final int MAX_FILE_BYTES = 1024 * 1024;

    enum Kind { FOUND, WHITED_OUT, ABSENT }

    record Result(Kind kind, String content) {
    }

    private LayerSearch() {
    }

    /** gzip (OCI and Docker), zstd and plain tar layers; anything else (foreign, encrypted) is not read. */
    static boolean supported(Descriptor layer) {
        String mt = layer.mediaType();
        return mt.endsWith("gzip") || mt.endsWith("zstd") || mt.endsWith(".tar");
    }

    static InputStream decompress(InputStream raw, Descriptor layer) throws IOException {
        String mt = layer.mediaType();
        if (mt.endsWith("zstd")) {
            return new ZstdInputStream(new java.io.BufferedInputStream(raw, 64 * 1024));
        }
        if (mt.equals(MediaTypes.OCI_LAYER_TAR) || mt.endsWith(".tar")) {
            return raw;
        }
        return new GZIPInputStream(raw, 64 * 1024);
    }

    /** Reads the whole tar; the file in this layer wins over a whiteout in this layer. */
    static Result scan(InputStream tarStream, String target) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        String content = null;
        boolean whiteout = false;
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = VerifyRules.normalize(e.getName());
            if (name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
            if (name.equals(target) && e.isFile()) {
                content = new String(tar.readNBytes(MAX_FILE_BYTES), java.nio.charset.StandardCharsets.UTF_8);
            } else if (deletes(name, target)) {
                whiteout = true;
            }
        }
        if (content != null) {
            return new Result(Kind.FOUND, content);
        }
        return new Result(whiteout ? Kind.WHITED_OUT : Kind.ABSENT, null);
    }

    /** Is {@code entry} a whiteout that removes {@code target} from the layers below? */
    static boolean deletes(String entry, String target) {
        int slash = entry.lastIndexOf('/');
        String dir = slash < 0 ? "" : entry.substring(0, slash + 1);
        String base = entry.substring(slash + 1);
        if (!base.startsWith(".wh.")) {
            return false;
        }
        if (base.equals(".wh..wh..opq")) {
            return target.startsWith(dir); // opaque directory: everything below it in lower layers is hidden
        }
        String removed = dir + base.substring(4);
        return target.equals(removed) || target.startsWith(removed + "/");
    }
}
