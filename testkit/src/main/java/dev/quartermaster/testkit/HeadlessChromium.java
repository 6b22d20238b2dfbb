package dev.quartermaster.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless: the DOM a page has once loaded ({@code --dump-dom}) and a screenshot
 * of it ({@code --screenshot}), one CSS pixel per image pixel. A fresh profile per call, no sandbox
 * (tests run as root in containers), no GPU. Missing Chromium is an error naming the package, never
 * a skip: bin/setup-local installs it.
 */
public final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;
    private final Path chromium;
    private final Path work;

    private HeadlessChromium(Path chromium, Path work) {
        this.chromium = chromium;
        this.work = work;
    }

    /**
     * @param work a directory for the profiles and logs
     */
    public static HeadlessChromium require(Path work) {
        Path exe =
                Tools.find("chromium")
                        .or(() -> Tools.find("chromium-browser"))
                        .orElseGet(() -> Tools.require("chromium", "chromium"));
        return new HeadlessChromium(exe, work);
    }

    /** The page's DOM after loading, as Chromium serializes it. */
    public String dumpDom(Path page, int width, int height) {
        Path out = work.resolve("dom-" + System.nanoTime() + ".html");
        run(
                List.of(
                        "--dump-dom",
                        "--window-size=" + width + "," + height,
                        page.toUri().toString()),
                out);
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG of the page's top {@code height} CSS pixels at {@code width}. */
    public Path screenshot(Path page, Path png, int width, int height) {
        run(
                List.of(
                        "--screenshot=" + png.toAbsolutePath(),
                        "--window-size=" + width + "," + height,
                        page.toUri().toString()),
                null);
        if (!Files.isRegularFile(png)) {
            throw new IllegalStateException(
                    "chromium wrote no screenshot " + png + "; its log: " + work);
        }
        return png;
    }

    private void run(List<String> args, Path stdout) {
        try {
            Path profile = Files.createTempDirectory(work, "profile");
            List<String> command =
                    new ArrayList<>(
                            List.of(
                                    chromium.toString(),
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--hide-scrollbars",
                                    "--force-device-scale-factor=1",
                                    "--no-first-run",
                                    "--disable-extensions",
                                    "--user-data-dir=" + profile));
            command.addAll(args);
            Path log = work.resolve("chromium-" + System.nanoTime() + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
            pb.redirectOutput(
                    stdout == null
                            ? log.resolveSibling(log.getFileName() + ".out").toFile()
                            : stdout.toFile());
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "chromium did not finish in "
                                + TIMEOUT_SECONDS
                                + " s: "
                                + command
                                + " (log "
                                + log
                                + ")");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "chromium exited "
                                + p.exitValue()
                                + ": "
                                + command
                                + "\n"
                                + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
