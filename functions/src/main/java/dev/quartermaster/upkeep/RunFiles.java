package dev.quartermaster.upkeep;

import dev.quartermaster.contract.Upkeep;

import java.io.InputStream;

/**
 * The files of upkeep runs, under {@value Upkeep#PREFIX} of one bucket: the items a plan writes for
 * a map's ItemReader, what a batch keeps beside its answer (the prune's marks), and what Step
 * Functions' ResultWriter writes (or the local engine, standing in for it). Nothing outside that
 * prefix is read or written through this port.
 */
public interface RunFiles {

    /** The bucket's name, as the state machine's ItemReader and ResultWriter name it. */
    String bucket();

    void write(String key, byte[] bytes);

    /**
     * @throws RunFileMissingException when there is no such file
     */
    InputStream open(String key);

    /**
     * A key under the runs' prefix, or an exception naming it: keys come from payloads and
     * manifests, which are input.
     */
    static String checked(String key) {
        if (key == null
                || !key.startsWith(Upkeep.PREFIX)
                || key.contains("..")
                || key.contains("//")
                || key.length() > 512
                || !key.matches("[A-Za-z0-9/._-]+")) {
            throw new IllegalArgumentException(
                    "'"
                            + dev.quartermaster.common.Text.oneLine(String.valueOf(key), 120)
                            + "' is not a key of an upkeep run ("
                            + Upkeep.PREFIX
                            + "...)");
        }
        return key;
    }

    /**
     * A file the run expected is not there (a manifest or items file never written, or expired).
     */
    final class RunFileMissingException extends RuntimeException {
        public RunFileMissingException(String key) {
            super("upkeep file " + key + " does not exist");
        }
    }
}
