package dev.quartermaster.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the Debian programs the local backends need, or says exactly how to get them. */
public final class Tools {
    private Tools() {}

    public static Optional<Path> find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/sbin"}) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Path require(String program, String debianPackage) {
        return find(program)
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        program
                                                + " is not installed: run `sudo apt-get install -y "
                                                + debianPackage
                                                + "` (or bin/setup-local, which installs every local backend)"));
    }
}
