package dev.quartermaster.verify;

import dev.quartermaster.registry.Descriptor;
import dev.quartermaster.registry.MediaTypes;
import io.airlift.compress.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Looks for one path in one layer (a tar stream) with the semantics a container runtime applies:
 * entry names are cleaned ({@code ./}, {@code //}, {@code ..}); a later entry for the same path
 * replaces an earlier one; a non-directory at a parent path, or a link at the path itself, hides
 * the file; a whiteout ({@code .wh.<name>} of the file or a parent, {@code .wh..wh..opq} in a
 * parent) deletes it from the layers below. The whole tar is walked (within the budget): stopping
 * at the first match would let a later duplicate entry, which is what the runtime extracts, go
 * unseen.
 */
final class LayerSearch {
    static final int MAX_FILE_BYTES = 1024 * 1024;

    enum Kind {
        FOUND,
        WHITED_OUT,
        HIDDEN,
        ABSENT
    }

    /** {@code content} for FOUND, {@code detail} (why) for HIDDEN. */
    record Result(Kind kind, String content, String detail) {}

    private LayerSearch() {}

    /**
     * gzip (OCI and Docker), zstd and plain tar layers; anything else (foreign, encrypted) is not
     * read.
     */
    static boolean supported(Descriptor layer) {
        String mt = layer.mediaType();
        return mt.endsWith("gzip") || mt.endsWith("zstd") || mt.endsWith(".tar");
    }

    static InputStream decompress(InputStream raw, Descriptor layer) throws IOException {
        String mt = layer.mediaType();
        if (mt.endsWith("zstd")) {
            return new ZstdInputStream(new BufferedInputStream(raw, 64 * 1024));
        }
        if (mt.equals(MediaTypes.OCI_LAYER_TAR) || mt.endsWith(".tar")) {
            return raw;
        }
        return new GZIPInputStream(raw, 64 * 1024);
    }

    static Result scan(InputStream tarStream, String target, int maxHeaderBytes)
            throws IOException {
        TarReader tar = new TarReader(tarStream, maxHeaderBytes);
        String content = null;
        String hidden = null;
        boolean whiteout = false;
        TarReader.Entry e;
        while ((e = tar.next()) != null) {
            String name = LayerPaths.clean(e.name());
            if (name.equals(target)) {
                if (e.isFile()) {
                    content = new String(tar.readContent(MAX_FILE_BYTES), StandardCharsets.UTF_8);
                    hidden = null;
                } else {
                    content = null;
                    hidden =
                            target
                                    + " is "
                                    + describe(e)
                                    + " in this layer, which the verifier does not follow";
                }
            } else if (!e.isDirectory() && LayerPaths.isParentOf(name, target)) {
                content = null;
                hidden =
                        name + ", a parent of " + target + ", is " + describe(e) + " in this layer";
            } else if (deletes(name, target)) {
                whiteout = true;
            }
        }
        if (hidden != null) {
            return new Result(Kind.HIDDEN, null, hidden);
        }
        if (content != null) {
            return new Result(
                    Kind.FOUND,
                    content,
                    null); // the file in this layer wins over a whiteout in this layer
        }
        return new Result(whiteout ? Kind.WHITED_OUT : Kind.ABSENT, null, null);
    }

    private static String describe(TarReader.Entry e) {
        return switch (e.type()) {
            case '1' -> "a hard link";
            case '2' -> "a symbolic link";
            case '5' -> "a directory";
            case '0', '\0', '7' -> "a file";
            default ->
                    "a special file (type "
                            + (Character.isLetterOrDigit(e.type()) ? e.type() : '?')
                            + ")";
        };
    }

    /**
     * Is {@code entry} (a cleaned name) a whiteout that removes {@code target} from the layers
     * below?
     */
    static boolean deletes(String entry, String target) {
        int slash = entry.lastIndexOf('/');
        String dir = slash < 0 ? "" : entry.substring(0, slash + 1);
        String base = entry.substring(slash + 1);
        if (!base.startsWith(".wh.")) {
            return false;
        }
        if (base.equals(".wh..wh..opq")) {
            return target.startsWith(
                    dir); // opaque directory: everything below it in lower layers is hidden
        }
        String removed = dir + base.substring(4);
        return target.equals(removed) || target.startsWith(removed + "/");
    }
}
