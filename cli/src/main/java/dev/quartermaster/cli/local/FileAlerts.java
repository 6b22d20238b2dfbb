package dev.quartermaster.cli.local;

import dev.quartermaster.common.Alert;
import dev.quartermaster.common.Alerts;
import dev.quartermaster.events.EventParser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The local stand-in for the SNS topic: alerts are appended to a JSON-lines file and shown. */
public final class FileAlerts implements Alerts {
    private final Path file;
    private final PrintStream console;
    private final List<Alert> seen = new ArrayList<>();

    public FileAlerts(Path file, PrintStream console) {
        this.file = file;
        this.console = console;
    }

    @Override
    public synchronized void publish(Alert alert) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    EventParser.JSON.writeValueAsString(alert) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        seen.add(alert);
        if (console != null) {
            console.println("ALERT " + alert.kind() + ": " + alert.subject());
        }
    }

    public synchronized List<Alert> seen() {
        return List.copyOf(seen);
    }
}
